//! Opens a sled database and closes it: the floor under every shegong command, measured beside
//! shegong by `benches/run.py` ("what the report costs on top of opening the store").

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: sled_open DIR/sled");
        std::process::exit(2);
    };
    match sled::Config::new().path(&path).cache_capacity(64 * 1024 * 1024).open() {
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
