//! Entering and leaving the terminal: raw mode, alternate screen, mouse, bracketed paste.
//! The terminal is restored on every exit path: normal quit, errors (the guard's drop),
//! panics (the hook), signals, and around Ctrl-z suspension.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

/// The terminal type the console draws on.
pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Whether the terminal is in console mode. Leaving twice would be harmful: leaving the
/// alternate screen again restores the cursor saved on entry, so the shell's next output
/// would overwrite whatever was printed after the first leave (e.g. a panic message).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Switches the terminal into console mode.
pub fn enter() -> io::Result<Term> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut stdout = io::stdout();
    execute!(
        stdout,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    let mut terminal = Terminal::new(CrosstermBackend::new(stdout))?;
    terminal.clear()?;
    Ok(terminal)
}

/// Restores the terminal; only the first call after entering does anything.
pub fn leave() -> io::Result<()> {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let mut stdout = io::stdout();
    // Every step is attempted even if one fails: a half-restored terminal is the worst case.
    let a = execute!(
        stdout,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let b = disable_raw_mode();
    let _ = stdout.flush();
    a.and(b)
}

/// Restores the terminal when dropped (error returns and unwinding).
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = leave();
    }
}

/// Restores the terminal before the default panic message is printed.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = leave();
        previous(info);
    }));
}

/// Ctrl-z: restore the terminal, stop the process, and re-enter when resumed (`fg`).
pub fn suspend(terminal: &mut Term) -> io::Result<()> {
    leave()?;
    #[cfg(unix)]
    // SAFETY: raising a signal on our own process has no memory-safety preconditions.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    // Execution continues here after SIGCONT.
    reenter(terminal)
}

/// Hands the terminal to another program (the what-if editor) while `run` runs, restoring
/// it first and re-entering console mode afterwards, as Ctrl-z does.
pub fn outside<R>(terminal: &mut Term, run: impl FnOnce() -> R) -> io::Result<R> {
    leave()?;
    let result = run();
    reenter(terminal)?;
    Ok(result)
}

/// Console mode again after the terminal was handed over.
fn reenter(terminal: &mut Term) -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(
        terminal.backend_mut(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    terminal.clear()
}
