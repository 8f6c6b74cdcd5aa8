//! Reading a secret given as `-` on the command line (`--kmipClientCertificatePassword -`), so
//! that it never appears in the process list: from a prompt on the terminal without echo when
//! standard input is a terminal, else one line of standard input.
//!
//! At the prompt the terminal is switched to reading key by key without echo (no canonical
//! mode, no signals from the keyboard), so that the interrupt key is read as "cancel" and the
//! terminal is restored on every path (a guard restores it when dropped); Backspace and the
//! line-kill key edit the line, Enter ends it, end-of-file on an empty line cancels.

use std::fs::File;
use std::io::{self, IsTerminal as _, Read as _, Write as _};
use std::os::fd::AsFd as _;

use nix::sys::termios::{
    LocalFlags, SetArg, SpecialCharacterIndices, Termios, tcgetattr, tcsetattr,
};
use zeroize::Zeroizing;

use kmip_keystore::config::Password;

/// Longest secret read (bytes); a longer line is refused rather than cut.
const MAX_SECRET_BYTES: usize = 4096;

/// Reads a secret: prompts with `prompt` on `/dev/tty` (no echo) when standard input is a
/// terminal, else reads one line of standard input (its newline, and a carriage return before
/// it, stripped). The error says what failed, never what was typed.
pub fn read_secret(prompt: &str) -> Result<Password, String> {
    let secret = if io::stdin().is_terminal() {
        prompt_on_terminal(prompt)?
    } else {
        line_of_stdin()?
    };
    let text = String::from_utf8(secret.to_vec())
        .map_err(|_| "the password is not UTF-8 text".to_owned())?;
    Ok(Password::new(text))
}

/// One line of standard input, read byte by byte from the descriptor (no buffer keeps a copy,
/// and nothing past the line is consumed).
fn line_of_stdin() -> Result<Zeroizing<Vec<u8>>, String> {
    let descriptor = io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let mut input = File::from(descriptor);
    let mut line = Zeroizing::new(Vec::with_capacity(256));
    let mut byte = [0u8; 1];
    loop {
        match input.read(&mut byte) {
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => {
                if line.len() == MAX_SECRET_BYTES {
                    return Err(format!(
                        "the password on standard input is longer than {MAX_SECRET_BYTES} bytes"
                    ));
                }
                line.push(byte[0]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("cannot read standard input: {e}")),
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.is_empty() {
        return Err("no password on standard input (an empty line or none)".to_owned());
    }
    Ok(line)
}

/// Puts the terminal's settings back when dropped.
struct RestoreTerminal<'t> {
    tty: &'t File,
    original: Termios,
}

impl Drop for RestoreTerminal<'_> {
    fn drop(&mut self) {
        let _ = tcsetattr(self.tty, SetArg::TCSANOW, &self.original);
    }
}

/// Prompts on `/dev/tty` and reads a line typed without echo.
fn prompt_on_terminal(prompt: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let tty = File::options()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| format!("cannot open the terminal /dev/tty for the password prompt: {e}"))?;
    let original =
        tcgetattr(&tty).map_err(|e| format!("cannot read the terminal's settings: {e}"))?;
    let key = |index: SpecialCharacterIndices| original.control_chars[index as usize];
    let (interrupt, end_of_file, erase, kill) = (
        key(SpecialCharacterIndices::VINTR),
        key(SpecialCharacterIndices::VEOF),
        key(SpecialCharacterIndices::VERASE),
        key(SpecialCharacterIndices::VKILL),
    );
    let mut quiet = original.clone();
    quiet
        .local_flags
        .remove(LocalFlags::ECHO | LocalFlags::ICANON | LocalFlags::ISIG | LocalFlags::IEXTEN);
    quiet.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
    quiet.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
    let typed = {
        // Echo goes off before the prompt shows, so nothing typed after it is ever echoed.
        tcsetattr(&tty, SetArg::TCSAFLUSH, &quiet)
            .map_err(|e| format!("cannot turn the terminal's echo off: {e}"))?;
        let _restore = RestoreTerminal {
            tty: &tty,
            original,
        };
        (&tty)
            .write_all(prompt.as_bytes())
            .and_then(|()| (&tty).flush())
            .map_err(|e| format!("cannot write the password prompt: {e}"))?;
        read_keys(&tty, interrupt, end_of_file, erase, kill)
    };
    // The Enter key was not echoed: end the prompt's line.
    let _ = (&tty).write_all(b"\n");
    typed
}

/// Reads keys from the terminal until Enter, editing with `erase` (and Backspace or DEL) and
/// `kill`; `interrupt`, or `end_of_file` on an empty line, cancels.
fn read_keys(
    mut tty: &File,
    interrupt: u8,
    end_of_file: u8,
    erase: u8,
    kill: u8,
) -> Result<Zeroizing<Vec<u8>>, String> {
    let mut line = Zeroizing::new(Vec::with_capacity(256));
    let mut byte = Zeroizing::new([0u8; 1]);
    loop {
        match tty.read(&mut byte[..]) {
            Ok(0) => return Err("the terminal closed during the password prompt".to_owned()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("cannot read the password from the terminal: {e}")),
        }
        match byte[0] {
            b'\r' | b'\n' => return Ok(line),
            b if b == interrupt => return Err("the password prompt was cancelled".to_owned()),
            b if b == end_of_file && line.is_empty() => {
                return Err("the password prompt was cancelled".to_owned());
            }
            b if b == erase || b == 0x7f || b == 0x08 => {
                // Remove one character (all the bytes of a UTF-8 sequence).
                while let Some(last) = line.pop() {
                    if last & 0xc0 != 0x80 {
                        break;
                    }
                }
            }
            b if b == kill => line.clear(),
            b => {
                if line.len() == MAX_SECRET_BYTES {
                    return Err(format!(
                        "the password is longer than {MAX_SECRET_BYTES} bytes"
                    ));
                }
                line.push(b);
            }
        }
    }
}
