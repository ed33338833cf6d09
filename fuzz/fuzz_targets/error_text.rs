//! Fuzzes the pasted-error parser: any input must give `Ok` or `Err`, never a panic; an
//! accepted text must serialise; a rejection never carries a control character; and
//! splitting a text into its failures never panics and finds at least the first one.
#![no_main]

use crossdock::diagnose::error_text::{parse, parse_all};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse(&text) {
        Ok(parsed) => {
            let json = serde_json::to_string(&parsed).expect("a parsed error serialises");
            assert!(!json.is_empty());
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty());
            assert!(!message.chars().any(char::is_control));
        }
    }
    if let Ok(all) = parse_all(&text) {
        assert!(!all.is_empty());
    }
});
