//! The one font every figure uses, compiled into the binary.
//!
//! Why embedded: plotters' text rendering without system libraries (the
//! `ab_glyph` feature) draws nothing until a TrueType font is registered, and
//! relying on a font installed on the machine would make figures differ (or
//! fail) between machines. DejaVu Sans (permissive licence, in
//! `assets/fonts/LICENSE-DejaVu`) is registered once under the family name
//! [`FONT`].

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

use crate::error::{Error, Result};

/// The family name figures ask for.
pub const FONT: &str = "sans-serif";

static DEJAVU: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font (once per process).
pub fn ensure_font() -> Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        [FontStyle::Normal, FontStyle::Bold]
            .into_iter()
            .all(|style| register_font(FONT, style, DEJAVU).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "the embedded DejaVu Sans font could not be loaded",
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn embedded_font_registers() {
        super::ensure_font().unwrap();
        super::ensure_font().unwrap();
    }
}
