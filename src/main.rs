//! Entry point of `dn`: parse the command line, run, and exit with the
//! status the run decided. No logic of its own.

mod app;
mod budget;
mod cli;
mod config;
mod doorbell;
mod engine;
mod exit;
mod frames;
mod generate;
mod interactive;
mod logger;
mod matcher;
mod messages;
mod opener;
mod order;
mod output;
mod pool;
mod printer;
mod progress;
mod query;
mod sanitize;
mod schedule;
mod search;
mod signals;
mod walk;
mod wire;

use clap::Parser;

use crate::exit::ExitStatus;

/// Parses arguments, runs the search and exits; errors become one line on
/// stderr and exit 2, a broken pipe exits 0. Started as a re-executed
/// worker (a hidden first argument), it runs the worker loop instead.
fn main() {
    let mut argv = std::env::args_os();
    if argv.nth(1).is_some_and(|a| a == pool::spawn::WORKER_FLAG) {
        let parent = argv.next().and_then(|p| p.into_string().ok()).unwrap_or_default();
        pool::spawn::exit_now(pool::worker::reexeced(&parent));
    }
    let status = match parse().and_then(run) {
        Ok(status) => status,
        Err(err) if is_broken_pipe(&err) => ExitStatus::Match,
        Err(err) => {
            messages::fatal(&err);
            ExitStatus::Error
        }
    };
    exit::exit(status)
}

/// Reads the config file and the command line into `Args`; help and
/// version print and exit here.
///
/// As ripgrep does, the command line is parsed first; unless it says
/// `--no-config`, the config file's flags are then put before it and the
/// whole is parsed again.
fn parse() -> anyhow::Result<cli::Args> {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let args = parse_argv(argv.clone())?;
    if args.no_config {
        return Ok(args);
    }
    let extra = config::config_file_args();
    if extra.is_empty() {
        return Ok(args);
    }
    let mut full = vec![argv[0].clone()];
    full.extend(extra);
    full.extend(argv.into_iter().skip(1));
    parse_argv(full)
}

/// Parses one argument vector; help and version print and exit here.
/// A bad flag value is reported in ripgrep's words, naming the flag as it
/// was written.
fn parse_argv(argv: Vec<std::ffi::OsString>) -> anyhow::Result<cli::Args> {
    match cli::Args::try_parse_from(&argv) {
        Ok(args) if args.unrestricted > 3 => anyhow::bail!(
            "error parsing flag {}: flag can only be repeated up to 3 times",
            cli::spelling(&argv, "unrestricted", None)
        ),
        Ok(args) => Ok(args),
        Err(e) if !e.use_stderr() => {
            // Help and version: a failed write is an error (a closed pipe
            // is not).
            let printed = e.print().map_err(output::write_failed);
            match printed.and_then(|()| std::io::Write::flush(&mut output::StdoutWriter::new())) {
                Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err.into()),
                _ => exit::exit(ExitStatus::Match),
            }
        }
        Err(e) => Err(anyhow::anyhow!(cli::error_line(&e, &argv))),
    }
}

/// Dispatches `--generate` and `--pcre2-version`, or starts the logger
/// (--debug, --trace), resolves the config and searches.
fn run(args: cli::Args) -> anyhow::Result<ExitStatus> {
    if let Some(kind) = &args.generate {
        // Rendered first: clap's completion writers panic on a failed write.
        let mut text = Vec::new();
        generate::generate(kind, &mut text)?;
        output::write_stdout(&text)?;
        return Ok(ExitStatus::Match);
    }
    if args.pcre2_version {
        let (text, available) = matcher::pcre2_version();
        output::write_stdout(format!("{text}\n").as_bytes())?;
        return Ok(if available { ExitStatus::Match } else { ExitStatus::NoMatch });
    }
    logger::init(if args.trace {
        log::LevelFilter::Trace
    } else if args.debug {
        log::LevelFilter::Debug
    } else {
        log::LevelFilter::Off
    });
    app::run(config::Config::from_args(args)?)
}

/// True when the error chain holds a broken pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
