//! Exhaustive enumeration of every label configuration on n voxels, planned,
//! parallel, resumable and splittable.
//!
//! Two enumerators cover the same configurations and are tested to agree:
//! [`count_space`] visits each (TP, FP, FN, TN) once with its multiplicity, and
//! [`voxel_space`] visits every pair of bit-packed masks. Either way the work is a
//! list of independent *chunks* whose [`Spread`] summaries merge, so this module
//! adds what a long run needs and nothing about losses:
//!
//! * a size and time estimate before anything runs, and a refusal (with that
//!   estimate) beyond a limit unless forced;
//! * parallel chunks on every core (rayon), reporting through
//!   [`crate::progress::Progress`] (the CLI draws the bar; this module never
//!   prints), and stopping cleanly after the running chunks when the progress
//!   host reports a cancellation (Ctrl-C in the CLI), so the checkpoint holds
//!   every finished chunk;
//! * `--checkpoint FILE`: after every finished chunk the summary so far and the
//!   list of finished chunks are written atomically (temp file + rename), and a
//!   rerun with the same file resumes with the remaining chunks;
//! * `--shard K/N`: run only the chunks i with i mod N = K − 1, so that N
//!   machines split one enumeration; [`merge_shards`] checks the shards are one
//!   job, disjoint and complete, and merges them into exactly the whole run's
//!   result (merging is order-independent, ties broken canonically).

pub mod count_space;
pub mod relaxed;
pub mod voxel_space;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use crate::analysis::json::{spread_doc, spread_from_doc};
use crate::analysis::{Pair, Spread};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::schema::spread::{ChunksFile, JobDoc};
use rayon::prelude::*;

/// Which enumerator to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every count tuple with its multiplicity.
    Counts,
    /// Every pair of masks.
    Voxels,
}

impl Mode {
    /// The mode's name as users type it.
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Counts => "counts",
            Mode::Voxels => "voxels",
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Mode> {
        match s {
            "counts" => Ok(Mode::Counts),
            "voxels" => Ok(Mode::Voxels),
            _ => Err(Error::invalid(format!(
                "unknown mode {s:?}; valid modes are counts and voxels"
            ))),
        }
    }
}

/// Conservative throughputs on 2 cores, used only for the estimate printed before
/// a run and for the refusal limit (README has the measured figures).
const COUNT_TUPLES_PER_S: f64 = 8.0e7;
const VOXEL_PAIRS_PER_S: f64 = 1.5e9;

/// Runs estimated to take longer than this are refused unless forced.
pub const DEFAULT_LIMIT_S: f64 = 120.0;

/// One enumeration: a pair of measures on n voxels in one mode.
#[derive(Clone, Debug)]
pub struct Job {
    /// Target and candidate.
    pub pair: Pair,
    /// Number of voxels.
    pub n: u64,
    /// Enumerator.
    pub mode: Mode,
}

/// One slice of a job: chunks i with i mod `count` = `index` − 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based shard number.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = Error;
    fn from_str(s: &str) -> Result<Shard> {
        let bad = || Error::invalid(format!("--shard expects K/N with 1 <= K <= N, got {s:?}"));
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Job {
    /// Number of chunks of the whole job.
    pub fn chunks(&self) -> u64 {
        match self.mode {
            Mode::Counts => count_space::chunks(self.n),
            Mode::Voxels => voxel_space::chunks(self.n),
        }
    }

    /// Units of work (tuples or pairs) in chunk `i`, for progress and estimates.
    fn chunk_work(&self, i: u64) -> f64 {
        match self.mode {
            Mode::Counts => count_space::chunk_tuples(self.n, i) as f64,
            Mode::Voxels => {
                let r = voxel_space::chunk_range(self.n, i);
                (r.end - r.start) as f64 * (2f64).powi(self.n as i32)
            }
        }
    }

    /// Runs one chunk.
    pub fn run_chunk(&self, i: u64) -> Result<Spread> {
        match self.mode {
            Mode::Counts => count_space::run_chunk(&self.pair, self.n, i),
            Mode::Voxels => voxel_space::run_chunk(&self.pair, self.n, i),
        }
    }

    /// Total work units and the estimated seconds on this kind of machine.
    pub fn estimate(&self) -> (f64, f64) {
        match self.mode {
            Mode::Counts => {
                let w = count_space::tuples(self.n) as f64;
                (w, w / COUNT_TUPLES_PER_S)
            }
            Mode::Voxels => {
                let w = 4f64.powi(self.n as i32);
                (w, w / VOXEL_PAIRS_PER_S)
            }
        }
    }

    /// Errors with the estimate if the job is beyond `limit_s`.
    pub fn check_size(&self, limit_s: f64) -> Result<()> {
        if self.mode == Mode::Voxels && (self.n == 0 || self.n > voxel_space::MAX_N) {
            return Err(Error::TooLarge(format!(
                "voxel-space enumeration supports 1 <= n <= {}; got n = {} (use --mode counts)",
                voxel_space::MAX_N,
                self.n
            )));
        }
        let (work, secs) = self.estimate();
        if secs > limit_s {
            let unit = match self.mode {
                Mode::Counts => "count tuples",
                Mode::Voxels => "mask pairs",
            };
            return Err(Error::TooLarge(format!(
                "n = {} in {} mode is {:.3e} {unit}, about {} on 2 cores; the limit is {}. \
                 Pass --force to run it anyway, --shard K/N to split it, --checkpoint FILE to make \
                 it resumable{}",
                self.n,
                self.mode.name(),
                work,
                human_seconds(secs),
                human_seconds(limit_s),
                if self.mode == Mode::Voxels {
                    ", or --mode counts (same result for count-based losses)"
                } else {
                    ""
                }
            )));
        }
        Ok(())
    }

    /// The identity of a job, stored in checkpoints and shard outputs.
    pub fn identity(&self) -> JobDoc {
        JobDoc {
            target: self.pair.target.spec(),
            candidate: self.pair.candidate.spec(),
            n: self.n,
            mode: self.mode.name().to_string(),
            empty: self.pair.policy.name().to_string(),
        }
    }
}

/// Formats seconds for estimates.
pub fn human_seconds(s: f64) -> String {
    if s < 1.0 {
        "under a second".into()
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172800.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86400.0)
    }
}

/// How to run a job.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Run even if the estimate is beyond the limit.
    pub force: bool,
    /// Refusal limit in estimated seconds (default [`DEFAULT_LIMIT_S`]).
    pub limit_s: Option<f64>,
    /// Save progress here after every chunk and resume from it.
    pub checkpoint: Option<PathBuf>,
    /// Run only one slice.
    pub shard: Option<Shard>,
    /// Stop after this many chunks have finished in this invocation (simulates an
    /// interruption in tests; the checkpoint holds everything finished).
    pub stop_after: Option<u64>,
}

/// The result of running (part of) a job.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Summary over the finished chunks.
    pub spread: Spread,
    /// Whether every chunk of the job (or of the shard) is finished.
    pub complete: bool,
    /// Finished chunks, sorted.
    pub done: Vec<u64>,
    /// Seconds spent in this invocation.
    pub seconds: f64,
}

struct State {
    spread: Spread,
    done: Vec<u64>,
}

/// Runs a job without reporting progress; see [`run_with_progress`].
pub fn run(job: &Job, opts: &RunOptions) -> Result<Outcome> {
    run_with_progress(job, opts, &Progress::none())
}

/// Runs a job: estimate, resume, parallel chunks, checkpoint, progress.
///
/// Progress is in work units (count tuples or mask pairs), starting at the work
/// a resumed checkpoint already holds; the message names the job. When
/// `progress` reports a cancellation, no new chunk starts and the outcome is
/// returned incomplete, exactly as after [`RunOptions::stop_after`].
pub fn run_with_progress(job: &Job, opts: &RunOptions, progress: &Progress) -> Result<Outcome> {
    if !opts.force {
        job.check_size(opts.limit_s.unwrap_or(DEFAULT_LIMIT_S))?;
    } else if job.mode == Mode::Voxels {
        job.check_size(f64::INFINITY)?;
    }
    let start = Instant::now();
    let mine: Vec<u64> = (0..job.chunks())
        .filter(|i| opts.shard.is_none_or(|s| i % s.count == s.index - 1))
        .collect();

    let mut state = State {
        spread: Spread::default(),
        done: Vec::new(),
    };
    if let Some(path) = &opts.checkpoint {
        if path.exists() {
            let (spread, done) = load_checkpoint(path, job, opts.shard)?;
            state = State { spread, done };
        }
    }
    let pending: Vec<u64> = mine
        .iter()
        .copied()
        .filter(|i| state.done.binary_search(i).is_err())
        .collect();

    let total_work: f64 = mine.iter().map(|&i| job.chunk_work(i)).sum();
    let done_work: f64 = state.done.iter().map(|&i| job.chunk_work(i)).sum();
    progress.message(&format!(
        "{} vs {} n={} ({})",
        job.pair.candidate.spec(),
        job.pair.target.spec(),
        job.n,
        job.mode.name()
    ));
    progress.tick(done_work as u64, total_work as u64);

    let state = Mutex::new(state);
    let finished_now = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    pending.par_iter().try_for_each(|&i| -> Result<()> {
        if stop.load(Ordering::Relaxed) || progress.is_cancelled() {
            return Ok(());
        }
        let s = job.run_chunk(i)?;
        {
            let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
            st.spread.merge(s);
            let pos = st.done.binary_search(&i).unwrap_or_else(|p| p);
            st.done.insert(pos, i);
            if let Some(path) = &opts.checkpoint {
                save_checkpoint(path, job, opts.shard, &st.spread, &st.done)?;
            }
        }
        progress.inc(job.chunk_work(i) as u64);
        let k = finished_now.fetch_add(1, Ordering::Relaxed) + 1;
        if opts.stop_after.is_some_and(|m| k >= m) {
            stop.store(true, Ordering::Relaxed);
        }
        Ok(())
    })?;
    let st = state.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(Outcome {
        complete: st.done.len() == mine.len(),
        spread: st.spread,
        done: st.done,
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn checkpoint_file(job: &Job, shard: Option<Shard>, spread: &Spread, done: &[u64]) -> ChunksFile {
    ChunksFile {
        diceproof: "checkpoint".into(),
        version: 1,
        job: job.identity(),
        shard: shard.map(|s| s.to_string()),
        complete: None,
        done: done.to_vec(),
        spread: spread_doc(spread),
    }
}

fn save_checkpoint(
    path: &Path,
    job: &Job,
    shard: Option<Shard>,
    spread: &Spread,
    done: &[u64],
) -> Result<()> {
    let text = serde_json::to_string(&checkpoint_file(job, shard, spread, done))
        .map_err(|e| Error::input(path, format!("cannot encode checkpoint: {e}")))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text)
        .map_err(|e| Error::input(&tmp, format!("cannot write checkpoint: {e}")))?;
    std::fs::rename(&tmp, path)
        .map_err(|e| Error::input(path, format!("cannot replace checkpoint: {e}")))
}

/// Reads a checkpoint or shard file, refusing anything else with the field at
/// fault (`expected` names what the caller wanted, for the message).
fn read_chunks_file(path: &Path, expected: &str) -> Result<ChunksFile> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let f: ChunksFile = serde_json::from_str(&text).map_err(|e| {
        Error::input(
            path,
            format!("not {expected} of this diceproof version: {e}"),
        )
    })?;
    if f.version != 1 || !(f.diceproof == "checkpoint" || f.diceproof == "shard") {
        return Err(Error::input(
            path,
            format!(
                "not {expected} (\"diceproof\": {:?}, \"version\": {}; expected \"checkpoint\" \
                 or \"shard\", version 1)",
                f.diceproof, f.version
            ),
        ));
    }
    Ok(f)
}

fn load_checkpoint(path: &Path, job: &Job, shard: Option<Shard>) -> Result<(Spread, Vec<u64>)> {
    let f = read_chunks_file(path, "a diceproof checkpoint")?;
    let shard = shard.map(|s| s.to_string());
    if f.diceproof != "checkpoint" {
        return Err(Error::input(path, "not a diceproof checkpoint (version 1)"));
    }
    if f.job != job.identity() || f.shard != shard {
        let show = |j: &JobDoc, s: &Option<String>| {
            format!("{} shard {}", job_text(j), s.as_deref().unwrap_or("none"))
        };
        return Err(Error::input(
            path,
            format!(
                "this checkpoint belongs to another run ({}); this run is {}. \
                 Use another file or delete this one",
                show(&f.job, &f.shard),
                show(&job.identity(), &shard)
            ),
        ));
    }
    let mut done = f.done;
    if let Some(bad) = done.iter().find(|&&i| i >= job.chunks()) {
        return Err(Error::input(
            path,
            format!(
                "checkpoint lists chunk {bad}, but the job has {} chunks",
                job.chunks()
            ),
        ));
    }
    done.sort_unstable();
    done.dedup();
    let spread = spread_from_doc(&f.spread).map_err(|e| Error::input(path, e.to_string()))?;
    Ok((spread, done))
}

/// The JSON a shard run writes for `merge`: job identity, shard, chunks, summary.
pub fn shard_file(job: &Job, shard: Shard, outcome: &Outcome) -> ChunksFile {
    ChunksFile {
        diceproof: "shard".into(),
        version: 1,
        job: job.identity(),
        shard: Some(shard.to_string()),
        complete: Some(outcome.complete),
        done: outcome.done.clone(),
        spread: spread_doc(&outcome.spread),
    }
}

/// Merges shard outputs (or checkpoints of shard runs) into the whole job's
/// summary, after checking that they are one job, complete, and cover every chunk
/// exactly once. Returns the job identity and the merged summary.
pub fn merge_shards(files: &[PathBuf]) -> Result<(JobDoc, Spread)> {
    if files.is_empty() {
        return Err(Error::invalid("merge needs at least one shard file"));
    }
    let mut identity: Option<JobDoc> = None;
    let mut count: Option<u64> = None;
    let mut seen: Vec<u64> = Vec::new();
    let mut chunks: Vec<u64> = Vec::new();
    let mut merged = Spread::default();
    for path in files {
        let f = read_chunks_file(
            path,
            "a shard output (the JSON that `compare --shard K/N` prints) or a checkpoint",
        )?;
        let shard: Shard = f
            .shard
            .as_deref()
            .ok_or_else(|| Error::input(path, "has no shard (a whole run needs no merge)"))?
            .parse()?;
        match &identity {
            None => identity = Some(f.job.clone()),
            Some(id) if *id != f.job => {
                return Err(Error::input(
                    path,
                    format!(
                        "belongs to another job: {} (expected {})",
                        job_text(&f.job),
                        job_text(id)
                    ),
                ))
            }
            _ => {}
        }
        match count {
            None => count = Some(shard.count),
            Some(c) if c != shard.count => {
                return Err(Error::input(
                    path,
                    format!("is shard {shard} but the others are out of {c}"),
                ))
            }
            _ => {}
        }
        if seen.contains(&shard.index) {
            return Err(Error::input(path, format!("shard {shard} given twice")));
        }
        seen.push(shard.index);
        chunks.extend(&f.done);
        merged.merge(spread_from_doc(&f.spread).map_err(|e| Error::input(path, e.to_string()))?);
    }
    let (Some(identity), Some(count)) = (identity, count) else {
        return Err(Error::invalid("merge needs at least one shard file"));
    };
    if seen.len() as u64 != count {
        let mut missing: Vec<u64> = (1..=count).filter(|k| !seen.contains(k)).collect();
        missing.truncate(10);
        return Err(Error::invalid(format!(
            "shards missing: {missing:?} of {count}; merge needs every shard"
        )));
    }
    let mode: Mode = identity.mode.parse()?;
    let total = match mode {
        Mode::Voxels => voxel_space::chunks(identity.n),
        Mode::Counts => count_space::chunks(identity.n),
    };
    chunks.sort_unstable();
    let expected: Vec<u64> = (0..total).collect();
    if chunks != expected {
        return Err(Error::invalid(format!(
            "the shards cover {} of {} chunks (an interrupted shard must be resumed with its \
             checkpoint before merging)",
            chunks.len(),
            total
        )));
    }
    Ok((identity, merged))
}

/// A job identity in words, for messages.
fn job_text(j: &JobDoc) -> String {
    format!(
        "{} vs {} n={} mode {} empty {}",
        j.candidate, j.target, j.n, j.mode, j.empty
    )
}

#[cfg(test)]
mod tests;
