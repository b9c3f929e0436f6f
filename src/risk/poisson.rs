//! Poisson-binomial distributions: exact (integers over a common denominator) and
//! the helpers shared by the exact expectation formulas.

use rug::{Integer, Rational};

/// P(X = j) = `num[j] / den` for X a sum of independent Bernoulli variables.
#[derive(Clone, Debug)]
pub(crate) struct Dist {
    pub num: Vec<Integer>,
    pub den: Integer,
}

impl Dist {
    /// The distribution of the empty sum (X = 0 surely).
    pub fn unit() -> Dist {
        Dist {
            num: vec![Integer::from(1)],
            den: Integer::from(1),
        }
    }

    /// Adds one Bernoulli(p) variable in place: O(len) integer operations.
    pub fn push(&mut self, p: &Rational) {
        let a = p.numer();
        let d = p.denom();
        let q = Integer::from(d - a);
        self.num.push(Integer::new());
        for j in (0..self.num.len()).rev() {
            let mut v = Integer::from(&self.num[j] * &q);
            if j > 0 {
                v += &self.num[j - 1] * a;
            }
            self.num[j] = v;
        }
        self.den *= d;
    }

    /// The distribution of the sum of the given variables.
    pub fn of<'a>(ps: impl IntoIterator<Item = &'a Rational>) -> Dist {
        let mut d = Dist::unit();
        for p in ps {
            d.push(p);
        }
        d
    }
}

/// lcm(lo, lo+1, ..., hi) (1 when the range is empty).
pub(crate) fn lcm_range(lo: usize, hi: usize) -> Integer {
    let mut l = Integer::from(1);
    for m in lo.max(1)..=hi {
        l.lcm_u_mut(m as u32);
    }
    l
}
