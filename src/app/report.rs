//! Charts and report.html: drawn from the CSVs of a run (or of a folder on disk).

use std::path::Path;

use anyhow::anyhow;
use tariffsim::report::{self, Inputs};

use super::options::ReportOptions;
use super::outputs::Outputs;
use super::Failure;

/// Draws the report from files added to `files` in this run, and adds it.
pub fn add_report(files: &mut Outputs) -> Result<(), Failure> {
    let Some(summary) = files.added("summary.csv") else {
        return Ok(());
    };
    let inputs = Inputs {
        summary,
        compare: files.added("compare.csv"),
        histogram: files.added("histogram.csv"),
        manifest: files.added("manifest.json"),
        breakeven: files.added("breakeven.csv"),
        sensitivity: files.added("sensitivity.csv"),
        exceedance: files.added("exceedance.csv"),
        assumptions: files.added("assumptions.json"),
        breakeven_manifest: files.added(tariffsim::output::breakeven::MANIFEST),
        frontier: files.added("frontier.csv"),
    };
    let rendered = report::render(&inputs)
        .map_err(|e| Failure::Run(anyhow!(e).context("drawing the report")))?;
    for (name, bytes) in rendered {
        files.add(&name, &bytes)?;
    }
    Ok(())
}

fn read_opt(dir: &Path, name: &str) -> Result<Option<String>, Failure> {
    let p = dir.join(name);
    match std::fs::read_to_string(&p) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::Run(anyhow!("cannot read {}: {e}", p.display()))),
    }
}

/// `tariffsim report DIR`: redraws the charts and report of an output folder.
pub fn report(o: &ReportOptions) -> Result<(), Failure> {
    let dir = &o.dir;
    let summary = read_opt(dir, "summary.csv")?.ok_or_else(|| {
        Failure::Input(anyhow!(
            "{}: no summary.csv here; is this a tariffsim output folder?",
            dir.display()
        ))
    })?;
    let inputs = Inputs {
        summary,
        compare: read_opt(dir, "compare.csv")?,
        histogram: read_opt(dir, "histogram.csv")?,
        manifest: read_opt(dir, "manifest.json")?,
        breakeven: read_opt(dir, "breakeven.csv")?,
        sensitivity: read_opt(dir, "sensitivity.csv")?,
        exceedance: read_opt(dir, "exceedance.csv")?,
        assumptions: read_opt(dir, "assumptions.json")?,
        breakeven_manifest: read_opt(dir, tariffsim::output::breakeven::MANIFEST)?,
        frontier: read_opt(dir, "frontier.csv")?,
    };
    let rendered = report::render(&inputs).map_err(|e| {
        Failure::Input(anyhow!(e).context(format!("drawing the report of {}", dir.display())))
    })?;
    let mut files = Outputs::update(dir, &["charts", report::REPORT_FILE])?;
    for (name, bytes) in &rendered {
        files.add(name, bytes)?;
    }
    files.commit()?;
    if !o.quiet {
        say!(
            "wrote {} and {} charts in {}",
            report::REPORT_FILE,
            rendered.len() - 1,
            dir.display()
        );
    }
    Ok(())
}
