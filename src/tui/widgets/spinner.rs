//! The loading spinner: one braille frame per tick.

const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner glyph for a tick count.
pub fn frame(tick: usize) -> &'static str {
    FRAMES[tick % FRAMES.len()]
}
