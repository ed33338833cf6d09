//! Enums for AWS string values (key states, pull credential types, …) kept in their wire spelling.
//!
//! AWS adds values over time; an unknown value must load as `Other` instead of failing a
//! whole snapshot, and must be written back unchanged.

/// Declares an enum of known AWS string values plus `Other(String)`, with serde in the wire spelling.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of crossdock does not know, kept as AWS sent it.
            Other(String),
        }

        impl $name {
            /// The value as AWS spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(value) => value,
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $( $wire => $name::$variant, )+
                    _ => $name::Other(value),
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from(value.to_string())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.as_str().to_string()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    wire_enum! {
        /// Test enum.
        pub enum Colour {
            /// Red.
            Red => "RED",
        }
    }

    #[test]
    fn known_and_unknown_values_round_trip() {
        let values: Vec<Colour> = serde_json::from_str(r#"["RED","MAUVE"]"#).expect("parse");
        assert_eq!(values, vec![Colour::Red, Colour::Other("MAUVE".into())]);
        assert_eq!(
            serde_json::to_string(&values).expect("serialize"),
            r#"["RED","MAUVE"]"#
        );
        assert_eq!(Colour::from("RED").to_string(), "RED");
    }
}
