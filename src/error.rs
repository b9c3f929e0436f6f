//! One error type for the whole crate.
//!
//! Every failure a user can cause (a bad file, a bad spec, an empty mask under the
//! `error` policy, a run too large to enumerate) is a value of [`Error`], never a
//! panic. The binary prints the message and exits with code 2; the message always
//! names the thing at fault (the file, the spec, the option) and what was expected.

use std::path::Path;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, grouped by who has to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file (or inline mask) could not be read or does not hold what was expected.
    #[error("{source_name}: {problem}")]
    Input {
        /// The file path, or a short description such as `inline bits "0110"`.
        source_name: String,
        /// What is wrong with it, in words a user can act on.
        problem: String,
    },
    /// A command-line value (measure spec, number, option) is malformed.
    #[error("{0}")]
    Invalid(String),
    /// Two inputs that must agree (shapes, lengths) do not.
    #[error("{0}")]
    Mismatch(String),
    /// A 0/0 arose under `EmptyPolicy::Error`.
    #[error("{0}")]
    Empty(String),
    /// A computation would be too large to run without `--force`.
    #[error("{0}")]
    TooLarge(String),
    /// A certified comparison could not be decided within the precision cap.
    #[error("{0}")]
    Undecided(String),
}

impl Error {
    /// An [`Error::Input`] about a file.
    pub fn input(path: impl AsRef<Path>, problem: impl Into<String>) -> Error {
        Error::Input {
            source_name: path.as_ref().display().to_string(),
            problem: problem.into(),
        }
    }

    /// An [`Error::Input`] about a named source that is not a file path.
    pub fn source(name: impl Into<String>, problem: impl Into<String>) -> Error {
        Error::Input {
            source_name: name.into(),
            problem: problem.into(),
        }
    }

    /// An [`Error::Invalid`] with a message.
    pub fn invalid(msg: impl Into<String>) -> Error {
        Error::Invalid(msg.into())
    }
}
