//! Opens a sled database and closes it: the floor under every shegong command, measured beside
//! shegong by `benches/run.py` ("what the report costs on top of opening the store"). It opens
//! as shegong does: the same allocator, without transparent huge pages, and the same cache
//! size (`src/main.rs`, `store::CACHE_BYTES`), so the difference is the report.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    #[cfg(target_os = "linux")]
    // SAFETY: sets a flag of this process's memory, as shegong's `main` does; no pointers.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: sled_open DIR/sled");
        std::process::exit(2);
    };
    match sled::Config::new()
        .path(&path)
        .cache_capacity(shegong::store::CACHE_BYTES)
        .open()
    {
        Ok(db) => {
            // Touch one tree, as a command does.
            let trees = db.tree_names().len();
            println!("{trees} trees");
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
