//! Sentences built by appending pieces to one `String` of the right size: the evaluator
//! writes a reason for every request, and `format!`'s machinery (plus the intermediate
//! strings of nested `format!`s) used to cost more than the decision itself.

/// Joins string pieces into one `String`, allocated once at its final size.
macro_rules! sentence {
    // One expression, so temporaries such as `caller.text()` live until the join.
    ($($piece:expr),+ $(,)?) => {
        $crate::policy::sentence::join(&[$(::core::convert::AsRef::<str>::as_ref(&$piece)),+])
    };
}
pub(crate) use sentence;

/// The concatenation of `pieces`, allocated once.
pub fn join(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

/// Appends `n` in decimal (statement indexes and levels) without the formatting machinery.
pub fn push_number(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_and_numbers() {
        let action = String::from("ecr:BatchGetImage");
        assert_eq!(
            sentence!("allows ", action, " on ", "*"),
            "allows ecr:BatchGetImage on *"
        );
        for n in [0, 7, 10, 12345, usize::MAX] {
            let mut out = String::from("#");
            push_number(&mut out, n);
            assert_eq!(out, format!("#{n}"));
        }
    }
}
