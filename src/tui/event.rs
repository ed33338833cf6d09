//! The event loop: terminal events and IO results in, actions and effects out, frames
//! drawn at most every [`FRAME`] however fast events stream in.

use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind, MouseButton, MouseEventKind};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::action::Action;
use super::app::App;
use super::clipboard;
use super::effect::{self, Effect};
use super::msg::Msg;
use super::terminal::{self, Term};
use super::ui;

/// The minimum time between two frames (~60 frames/s).
pub const FRAME: Duration = Duration::from_millis(16);

/// How often spinners advance while something loads.
const TICK: Duration = Duration::from_millis(100);

/// The action for a terminal event, if any.
pub fn action_for(app: &App, event: Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            app.keymap.resolve(app.context(), &key)
        }
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                column: mouse.column,
                row: mouse.row,
            }),
            MouseEventKind::ScrollDown => Some(Action::Scroll {
                down: true,
                column: mouse.column,
                row: mouse.row,
            }),
            MouseEventKind::ScrollUp => Some(Action::Scroll {
                down: false,
                column: mouse.column,
                row: mouse.row,
            }),
            _ => None,
        },
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        _ => None,
    }
}

fn spawn(
    effects: Vec<Effect>,
    terminal: &mut Term,
    app: &mut App,
    live: &effect::Backend,
    tx: &mpsc::UnboundedSender<Msg>,
) -> std::io::Result<()> {
    for effect in effects {
        match effect {
            Effect::Copy(text) => {
                let how =
                    clipboard::copy(terminal.backend_mut(), &text, &clipboard::Env::detect())?;
                app.copy_went(&how);
            }
            Effect::Suspend => terminal::suspend(terminal)?,
            Effect::EditDocument { location, text } => {
                let editor = crate::tui::editor::command();
                let result =
                    terminal::outside(terminal, || crate::tui::editor::edit(&editor, &text))?;
                let _ = tx.send(Msg::Edited { location, result });
            }
            // CPU-bound work (parsing snapshots, evaluating policies) runs off the workers.
            other @ (Effect::Diagnose { .. }
            | Effect::LoadOffline { .. }
            | Effect::ReverseRun { .. }
            | Effect::ReverseFinish { .. }) => {
                let live = live.clone();
                let tx = tx.clone();
                let handle = tokio::runtime::Handle::current();
                tokio::task::spawn_blocking(move || {
                    if let Some(msg) = handle.block_on(effect::perform(other, live)) {
                        let _ = tx.send(msg);
                    }
                });
            }
            other => {
                let live = live.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    if let Some(msg) = effect::perform(other, live).await {
                        // The receiver is gone only when the app is quitting.
                        let _ = tx.send(msg);
                    }
                });
            }
        }
    }
    Ok(())
}

/// Runs the console until the user quits.
pub async fn run(
    terminal: &mut Term,
    app: &mut App,
    live: effect::Backend,
    effects: Vec<Effect>,
) -> std::io::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(TICK);
    let size = terminal.size()?;
    app.update(Action::Resize {
        width: size.width,
        height: size.height,
    });
    spawn(effects, terminal, app, &live, &tx)?;
    let mut dirty = true;
    let mut last_frame = Instant::now() - FRAME;
    // SIGTERM and a SIGINT sent from outside (in raw mode Ctrl-C arrives as a key) end the
    // console the same way as `q`, so the terminal is restored.
    #[cfg(unix)]
    let mut term_signal =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    #[cfg(unix)]
    let mut interrupt_signal =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    loop {
        if dirty && last_frame.elapsed() >= FRAME {
            terminal.draw(|frame| ui::draw(frame, app))?;
            last_frame = Instant::now();
            dirty = false;
            // Hidden hook for the terminal-safety tests: prove the panic hook restores the tty.
            if std::env::var_os("CROSSDOCK_TEST_PANIC").is_some() {
                panic!("panic injected by CROSSDOCK_TEST_PANIC");
            }
        }
        if app.should_quit {
            return Ok(());
        }
        let next_frame = last_frame + FRAME;
        #[cfg(unix)]
        let terminated = async {
            tokio::select! {
                _ = term_signal.recv() => {}
                _ = interrupt_signal.recv() => {}
            }
        };
        #[cfg(not(unix))]
        let terminated = std::future::pending::<()>();
        tokio::select! {
            event = next(&mut events) => match event {
                Some(Ok(event)) => {
                    if let Some(action) = action_for(app, event) {
                        let effects = app.update(action);
                        spawn(effects, terminal, app, &live, &tx)?;
                    }
                    dirty = true;
                }
                Some(Err(error)) => return Err(error),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => {
                let effects = app.handle(msg);
                spawn(effects, terminal, app, &live, &tx)?;
                dirty = true;
            }
            _ = ticker.tick() => {
                if app.busy() {
                    app.update(Action::Tick);
                    dirty = true;
                }
            }
            _ = tokio::time::sleep_until(next_frame), if dirty => {}
            _ = terminated => return Ok(()),
        }
    }
}

/// `StreamExt::next` for the one stream we poll, without another dependency.
async fn next(stream: &mut EventStream) -> Option<std::io::Result<Event>> {
    use futures_core::Stream;
    std::future::poll_fn(|cx| std::pin::Pin::new(&mut *stream).poll_next(cx)).await
}
