//! The formula parser: a hand-written recursive descent over bytes, so that every
//! error can point at the offending character with a caret under the formula.
//!
//! Hand-written rather than a parser generator because the grammar is a dozen lines
//! and the error messages are the product: "unknown variable `tq`", "this `(` is
//! never closed", each with the formula and a caret. Recursion depth is capped, so
//! no input can overflow the stack (the fuzz test feeds it a million inputs).

use super::{Expr, Func, Op, Variable};
use crate::error::{Error, Result};
use crate::exact::{parse_rational, Q};
use num_traits::Zero;

/// The largest |k| accepted in `a^k`.
pub const MAX_EXPONENT: i32 = 64;
/// The largest total degree (product of nested exponents, times operands
/// multiplied) a formula may reach; see the module docs.
pub const MAX_DEGREE: u64 = 4096;
/// The longest formula accepted, in bytes.
pub const MAX_LEN: usize = 10_000;
/// The deepest nesting of parentheses and operators accepted.
const MAX_DEPTH: usize = 200;

/// Parses the formula of an `expr:`/`soft-expr:` spec (the text after the colon).
/// Errors show the formula with a caret under the offending character.
pub fn parse_expr<V: Variable>(text: &str) -> Result<Expr<V>> {
    if text.len() > MAX_LEN {
        return Err(Error::invalid(format!(
            "{}: formula of {} bytes is longer than the {MAX_LEN} accepted",
            V::FAMILY,
            text.len()
        )));
    }
    let mut p = Parser::<V> {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
        _v: std::marker::PhantomData,
    };
    p.skip_ws();
    if p.pos == p.bytes.len() {
        return Err(p.error(p.pos, "the formula is empty"));
    }
    let e = p.expr()?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        let msg = if p.bytes[p.pos] == b')' {
            "this `)` has no matching `(`".to_string()
        } else {
            format!(
                "unexpected {} after a complete formula (missing an operator?)",
                p.describe(p.pos)
            )
        };
        return Err(p.error(p.pos, &msg));
    }
    let deg = degree(&e);
    if deg > MAX_DEGREE {
        return Err(Error::invalid(format!(
            "{}:{text}: the formula reaches degree {deg}, above the {MAX_DEGREE} accepted \
             (its numbers could have millions of digits); lower the exponents",
            V::FAMILY
        )));
    }
    Ok(e)
}

/// An upper bound on the polynomial degree the formula can reach (saturating).
fn degree<V>(e: &Expr<V>) -> u64 {
    match e {
        Expr::Num(_) => 0,
        Expr::Var(_) => 1,
        Expr::Neg(a) | Expr::Call(_, a) => degree(a),
        Expr::Bin(Op::Mul | Op::Div, a, b) => degree(a).saturating_add(degree(b)),
        Expr::Bin(_, a, b) => degree(a).max(degree(b)),
        Expr::Pow(a, k) => degree(a).saturating_mul(u64::from(k.unsigned_abs())),
    }
}

/// Whether `e` has no variables and is exactly zero.
fn is_constant_zero<V: Copy>(e: &Expr<V>) -> bool {
    fn has_vars<V>(e: &Expr<V>) -> bool {
        match e {
            Expr::Num(_) => false,
            Expr::Var(_) => true,
            Expr::Neg(a) | Expr::Pow(a, _) | Expr::Call(_, a) => has_vars(a),
            Expr::Bin(_, a, b) => has_vars(a) || has_vars(b),
        }
    }
    !has_vars(e)
        && matches!(
            super::eval::evaluate(e, &|_| Q::zero(), &|q: &Q| Ok(q.clone())),
            Ok(v) if v.is_zero()
        )
}

struct Parser<'a, V> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    _v: std::marker::PhantomData<V>,
}

impl<V: Variable> Parser<'_, V> {
    /// An error with the formula and a caret under byte `at`.
    fn error(&self, at: usize, msg: &str) -> Error {
        let at = at.min(self.text.len());
        // Column in characters (the formula may hold non-ASCII junk).
        let col = self
            .text
            .char_indices()
            .take_while(|&(i, _)| i < at)
            .count();
        let prefix = format!("{}:", V::FAMILY);
        Error::invalid(format!(
            "cannot parse formula: {msg} at column {}\n  {prefix}{}\n  {}^",
            col + 1,
            self.text,
            " ".repeat(prefix.chars().count() + col)
        ))
    }

    /// The character at byte `at`, for messages.
    fn describe(&self, at: usize) -> String {
        match self.text.get(at..).and_then(|s| s.chars().next()) {
            Some(c) => format!("`{c}`"),
            None => "end of formula".into(),
        }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes.get(self.pos).copied()
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(self.pos, &format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr<V>> {
        self.enter()?;
        let mut e = self.term()?;
        while let Some(c @ (b'+' | b'-')) = self.peek() {
            self.pos += 1;
            let r = self.term()?;
            let op = if c == b'+' { Op::Add } else { Op::Sub };
            e = Expr::Bin(op, Box::new(e), Box::new(r));
        }
        self.depth -= 1;
        Ok(e)
    }

    fn term(&mut self) -> Result<Expr<V>> {
        let mut e = self.unary()?;
        while let Some(c @ (b'*' | b'/')) = self.peek() {
            let at = self.pos;
            self.pos += 1;
            let r = self.unary()?;
            if c == b'/' && is_constant_zero(&r) {
                return Err(self.error(
                    at,
                    "division by a constant that is zero (a nonzero number over 0 has no value, \
                     and 0/0 would send every configuration to the --empty policy)",
                ));
            }
            let op = if c == b'*' { Op::Mul } else { Op::Div };
            e = Expr::Bin(op, Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr<V>> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
            self.enter()?;
            let e = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Neg(Box::new(e)));
        }
        self.power()
    }

    fn power(&mut self) -> Result<Expr<V>> {
        let base = self.atom()?;
        if self.peek() != Some(b'^') {
            return Ok(base);
        }
        self.pos += 1;
        let neg = if self.peek() == Some(b'-') {
            self.pos += 1;
            true
        } else {
            false
        };
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.error(
                start,
                &format!(
                    "an exponent must be an integer literal such as 2 or -1, found {}",
                    self.describe(start)
                ),
            ));
        }
        let digits = &self.text[start..self.pos];
        let k = digits
            .parse::<i32>()
            .ok()
            .filter(|k| *k <= MAX_EXPONENT)
            .ok_or_else(|| {
                self.error(
                    start,
                    &format!("exponent {digits} is above the {MAX_EXPONENT} accepted"),
                )
            })?;
        if matches!(self.bytes.get(self.pos), Some(b'.' | b'e' | b'E')) {
            return Err(self.error(self.pos, "an exponent must be an integer"));
        }
        if self.peek() == Some(b'^') {
            return Err(self.error(
                self.pos,
                "chained powers are ambiguous; parenthesise them, as (x^2)^3",
            ));
        }
        Ok(Expr::Pow(Box::new(base), if neg { -k } else { k }))
    }

    fn atom(&mut self) -> Result<Expr<V>> {
        let at = match self.peek() {
            None => return Err(self.error(self.pos, "the formula ends where a value is expected")),
            Some(_) => self.pos,
        };
        let c = self.bytes[at];
        if c == b'(' {
            self.pos += 1;
            let e = self.expr()?;
            if self.peek() != Some(b')') {
                return Err(self.unclosed(at));
            }
            self.pos += 1;
            return Ok(e);
        }
        if c.is_ascii_digit() || c == b'.' {
            return self.number();
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = self.pos;
            while self.pos < self.bytes.len()
                && (self.bytes[self.pos].is_ascii_alphanumeric() || self.bytes[self.pos] == b'_')
            {
                self.pos += 1;
            }
            let name = self.text[start..self.pos].to_ascii_lowercase();
            if self.peek() == Some(b'(') {
                return self.call(start, &name);
            }
            if let Some((_, v)) = V::ALL.iter().find(|(n, _)| *n == name) {
                return Ok(Expr::Var(*v));
            }
            let hint = if ["min", "max", "abs", "sqrt", "ln"].contains(&name.as_str()) {
                format!("`{name}` is a function and needs parentheses, as {name}(…)")
            } else {
                format!(
                    "unknown variable `{name}`; {} formulas know {}",
                    V::FAMILY,
                    V::ALL
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(self.error(start, &hint));
        }
        let msg = if c == b')' {
            "a value is expected but this `)` closes nothing".to_string()
        } else {
            format!("a value is expected, found {}", self.describe(at))
        };
        Err(self.error(at, &msg))
    }

    fn unclosed(&self, open: usize) -> Error {
        let found = if self.pos >= self.bytes.len() {
            "the formula ends".to_string()
        } else {
            format!("found {}", self.describe(self.pos))
        };
        self.error(open, &format!("this `(` is never closed ({found})"))
    }

    fn number(&mut self) -> Result<Expr<V>> {
        let start = self.pos;
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            let exp_sign = matches!(b, b'+' | b'-')
                && self.pos > start
                && matches!(self.bytes[self.pos - 1], b'e' | b'E');
            if b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || exp_sign {
                self.pos += 1;
            } else {
                break;
            }
        }
        let lit = &self.text[start..self.pos];
        parse_rational(lit).map(Expr::Num).map_err(|_| {
            self.error(
                start,
                &format!("`{lit}` is not a number (accepted: 7, 0.3, 1e-5)"),
            )
        })
    }

    fn call(&mut self, start: usize, name: &str) -> Result<Expr<V>> {
        let arity = match name {
            "min" | "max" => 2,
            "abs" | "sqrt" | "ln" => 1,
            _ => {
                return Err(self.error(
                    start,
                    &format!(
                        "unknown function `{name}`; the functions are min, max, abs, sqrt, ln"
                    ),
                ))
            }
        };
        let open = self.pos;
        self.pos += 1; // '('
        let mut args = vec![self.expr()?];
        while self.peek() == Some(b',') {
            self.pos += 1;
            args.push(self.expr()?);
        }
        if self.peek() != Some(b')') {
            return Err(self.unclosed(open));
        }
        if args.len() != arity {
            return Err(self.error(
                start,
                &format!(
                    "{name} takes {arity} argument{}, given {}",
                    if arity == 1 { "" } else { "s" },
                    args.len()
                ),
            ));
        }
        self.pos += 1;
        let mut args = args.into_iter();
        let (Some(a), b) = (args.next(), args.next()) else {
            return Err(self.error(start, "missing argument"));
        };
        let (a, b) = (Box::new(a), b.map(Box::new));
        Ok(match (name, b) {
            ("min", Some(b)) => Expr::Bin(Op::Min, a, b),
            ("max", Some(b)) => Expr::Bin(Op::Max, a, b),
            ("abs", _) => Expr::Call(Func::Abs, a),
            ("sqrt", _) => Expr::Call(Func::Sqrt, a),
            ("ln", _) => Expr::Call(Func::Ln, a),
            _ => return Err(self.error(start, "missing argument")),
        })
    }
}
