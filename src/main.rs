//! The binary: parse the arguments, run a command (or the terminal UI), print a failure in the
//! user's language and exit with SPEC.md's code (0 ok, 1 bad data or failed check, 2 usage,
//! 3 store in use).

use clap::Parser;
use shegong::cli::{self, Args, Context};
use shegong::i18n::Lang;

fn main() {
    let args = Args::parse();
    let ctx = match Context::from_args(&args) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let result = match &args.command {
        Some(command) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            cli::run(&ctx, command, &mut out)
        }
        None => open_ui(&ctx),
    };
    if let Err(failure) = result {
        eprintln!("{}", failure.message);
        std::process::exit(failure.code);
    }
}

/// Until the terminal UI lands: open (or create) the store and print the root report.
fn open_ui(ctx: &Context) -> Result<(), cli::Failure> {
    let (store, created) = cli::open_or_create(ctx)?;
    if created {
        eprintln!(
            "{}",
            ctx.lang.pick(
                &format!("首次运行：已在 {} 创建数据库并载入西山区数据。", ctx.dir.display()),
                &format!(
                    "First run: created the store in {} with the Xishan data.",
                    ctx.dir.display()
                ),
            )
        );
    }
    let node =
        shegong::report::build(&store, None, chrono::Local::now().date_naive(), 1).map_err(|e| cli::Failure {
            code: e.exit_code(),
            message: e.message(ctx.lang),
        })?;
    println!("{}", shegong::report::to_table(&node, ctx.lang));
    println!();
    println!(
        "{}",
        ctx.lang.pick("命令一览：shegong --help", "Commands: shegong --help")
    );
    let _ = Lang::En;
    Ok(())
}
