//! Questions (pull, push, assume, trigger, artifact), their checks, verdicts and fixes.
//! Pure: inventory in, [`model::Diagnosis`] out.

pub mod model;
