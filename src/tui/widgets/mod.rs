//! Reusable drawing pieces: JSON with statement ranges, filterable lists, the spinner,
//! word wrapping.

pub mod json;
pub mod list;
pub mod spinner;
pub mod wrap;
