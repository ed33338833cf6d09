//! Presenter mode: account ids, access key ids and principal ids masked consistently, session
//! tokens removed, on screen, in copies and in exports, for screen sharing. Uses the
//! inventory's [`Redactor`] (the one masking table, also behind headless `--redact`), so
//! `111111111111` is always shown as the same fake id for the whole session (A registered
//! first, then B), and masking masked text changes nothing.

use std::borrow::Cow;
use std::cell::RefCell;

use crate::inventory::Redactor;

/// Masks account ids in displayed text while presenter mode is on.
#[derive(Debug, Default)]
pub struct Masker {
    /// Whether masking is on.
    pub enabled: bool,
    // Drawing takes `&App`; fake ids are handed out lazily as new ids appear on screen.
    redactor: RefCell<Redactor>,
}

impl Masker {
    /// A masker, on or off.
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            redactor: RefCell::new(Redactor::new()),
        }
    }

    /// Registers account ids in order, so A and B get the first fake ids.
    pub fn seed(&self, ids: &[&str]) {
        let mut redactor = self.redactor.borrow_mut();
        for id in ids {
            redactor.fake_id(id);
        }
    }

    /// The text as it may be shown.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        // Ids hold digits or capitals; plain lower-case text needs no scan.
        if !self.enabled
            || !text
                .bytes()
                .any(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        {
            return Cow::Borrowed(text);
        }
        Cow::Owned(self.redactor.borrow_mut().redact_str(text))
    }

    /// Owned variant of [`Masker::mask`].
    pub fn mask_string(&self, text: &str) -> String {
        self.mask(text).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consistent_and_off_by_default() {
        let masker = Masker::new(false);
        assert_eq!(
            masker.mask("arn:aws:iam::111111111111:role/x"),
            "arn:aws:iam::111111111111:role/x"
        );
        let masker = Masker::new(true);
        masker.seed(&["111111111111", "222222222222"]);
        assert_eq!(
            masker.mask("arn:aws:iam::222222222222:role/x 111111111111"),
            "arn:aws:iam::000000000002:role/x 000000000001"
        );
        assert_eq!(masker.mask("333333333333"), "000000000003");
        assert_eq!(masker.mask("333333333333"), "000000000003");
        // A copy of masked screen text is masked again: it must not change.
        assert_eq!(masker.mask("000000000001"), "000000000001");
    }
}
