//! Fuzzes the pasted-error parser: any input must give `Ok` or `Err`, never a panic, and an
//! accepted text must serialise.
#![no_main]

use crossdock::diagnose::error_text::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse(&text) {
        Ok(parsed) => {
            let json = serde_json::to_string(&parsed).expect("a parsed error serialises");
            assert!(!json.is_empty());
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
