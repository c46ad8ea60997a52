//! A test that needs something this machine may lack (tmux, `script`, the right to mount or to
//! make a device) says that it is skipped and why. Where `SHEGONG_NO_SKIP` is set, as `.ci/run`
//! sets it after installing what the tests need, a skip is a failure instead, so that CI always
//! runs every test.

/// Says that the calling test is skipped, and why; panics where skips are not allowed.
pub fn skip(why: &str) {
    if std::env::var_os("SHEGONG_NO_SKIP").is_some() {
        panic!("this test would be skipped ({why}), and SHEGONG_NO_SKIP says every test must run");
    }
    eprintln!("skipped: {why}");
}
