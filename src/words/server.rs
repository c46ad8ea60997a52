//! The words of connecting to the shared server (`pg::connect`) and of its logins (`pg::staff`):
//! why a connection failed, what `staff` did or refused.

catalogue! {
    /// The key of a text about the shared server.
    N {
        // The server when the connection string could not be read (so nothing of it is shown:
        // it may hold a password).
        ServerUnnamed => "（--db 或 SHEGONG_DB 给出的服务器）", "(the server given by --db or SHEGONG_DB)";
        // Why a connection failed: `{}` is the detail in the server's or the system's words.
        UrlUnreadable => "连接串无法识别：{}", "the connection string cannot be read: {}";
        UrlNoEquals => "某个参数缺少“=”", "a parameter has no “=”";
        UrlUnterminated => "某个带引号的值缺少结束的引号", "a quoted value has no closing quote";
        UrlBadEscape => "某个“%”转义不是有效的 UTF-8 文字", "a “%” escape is not valid UTF-8 text";
        UrlBadHost => "IPv6 地址缺少“]”", "an IPv6 address lacks its “]”";
        UnknownSslMode =>
            "sslmode 的值“{}”无法识别（可用 disable、prefer、require、verify-ca、verify-full）",
            "sslmode “{}” is not one of disable, prefer, require, verify-ca, verify-full";
        BadPort => "端口“{}”不是 1 到 65535 之间的数字", "the port “{}” is not a number from 1 to 65535";
        BadParameter => "连接参数有误：{}", "a connection parameter is wrong: {}";
        NoUser =>
            "没有指定登录名：请在网址中写明（postgresql://登录名@主机/数据库），或设置 PGUSER",
            "no login is given: put it in the URL (postgresql://LOGIN@HOST/DB) or set PGUSER";
        NoSuchHost => "找不到这个主机名（{}）", "no such host ({})";
        Refused =>
            "连接被拒绝：该地址和端口上没有运行数据库服务器（{}）",
            "connection refused: no server is running at that address and port ({})";
        NoSocket =>
            "该套接字上没有运行数据库服务器（{}）",
            "no server is running on that socket ({})";
        TimedOut => "连接超时，服务器没有应答（{}）", "the server did not answer in time ({})";
        // A read or write while the UI tries to connect again on its own thread (`pg::again`).
        Reconnecting => "正在后台重新连接，尚无应答", "connecting again in the background, no answer yet";
        BadPassword => "登录名或口令不对（{}）", "the login or its password is wrong ({})";
        NoPassword =>
            "服务器要求口令，但没有提供：请写在 ~/.pgpass（或 PGPASSFILE 指定的文件，权限 600）中",
            "the server asks for a password and none was given: put it in ~/.pgpass (or the file PGPASSFILE names, mode 600)";
        // Added to a failed login when the password file was not read.
        PassfileIgnored =>
            "；口令文件 {} 其他用户也能读写，因此未使用：请运行 chmod 600 {}",
            "; the password file {} may be read by other users, so it was not used: run chmod 600 {}";
        LoginRefused => "服务器不接受这个登录（{}）", "the server does not accept this login ({})";
        NoDatabase => "服务器上没有这个数据库（{}）", "there is no such database on the server ({})";
        NotReady => "服务器正在启动或关闭，请稍后再试（{}）", "the server is starting up or shutting down; try again shortly ({})";
        TooManyConnections => "服务器的连接数已满（{}）", "the server has no free connection ({})";
        TlsFailed => "TLS 加密连接失败（{}）", "the TLS connection failed ({})";
        TlsRootFile => "无法读取根证书文件 {}：{}", "cannot read the root certificate file {}: {}";
        TlsNoRoots =>
            "没有可信的根证书：请用 sslrootcert=文件 指定服务器证书的签发机构",
            "there is no trusted root certificate: name the server's certificate authority with sslrootcert=FILE";
        ConnectFailed => "连接失败（{}）", "the connection failed ({})";
        ConnectionLost => "与服务器的连接中断（{}）", "the connection to the server was lost ({})";
        // A login (`{}`) that may read but not write.
        LoginReadsOnly =>
            "登录 {} 只能查看（审计，或不是本数据库的工作人员），不能修改数据；未做任何改动。",
            "The login {} may read but not change anything (an auditor, or not staff of this database); nothing was changed.";
        // The login, and the server: `init` needs the database's owner (or CREATE on it) and
        // CREATEROLE while the group roles are not there yet.
        InitNotAllowed =>
            "登录 {} 不能在 {} 中建立 shegong 的表：init 须由数据库的所有者运行，且该登录能创建角色（CREATEROLE）；未做任何改动。",
            "The login {} may not make shegong's tables in {}: init must be run by the database's owner, with a login that may create roles (CREATEROLE); nothing was changed.";
        // A form's title, on a unit (`{}`, its code) outside the units this login writes.
        FormOutsideScope => "（本登录不能修改单位 {}，保存会被拒绝）", " (this login may not change unit {}: saving will be refused)";
        // staff
        RoleDistrict => "区级", "district";
        RoleClerk => "录入员", "clerk";
        RoleAuditor => "审计", "auditor";
        StaffLogin => "登录名", "login";
        StaffRole => "角色", "role";
        StaffUnit => "单位", "unit";
        StaffNone => "还没有任何登录（用 `shegong --db URL staff add` 添加）。", "No logins yet (add one with `shegong --db URL staff add`).";
        StaffAdded => "已添加登录 {}（{}）。", "Added the login {} ({}).";
        // Login, role, unit code.
        StaffAddedWithUnit => "已添加登录 {}（{}，单位 {} 及其下级）。", "Added the login {} ({} of unit {} and the units below it).";
        StaffRemoved => "已删除登录 {}。", "Removed the login {}.";
        StaffExists => "服务器上已有名为 {} 的登录（角色），未做任何改动。", "The server has a login (role) named {} already; nothing was changed.";
        StaffUnknown => "{} 不是本数据库的工作人员登录，未做任何改动。", "{} is not a staff login of this database; nothing was changed.";
        StaffBadLogin => "登录名“{}”不可用：须为 1 到 63 个字节。", "The login “{}” cannot be used: it must be 1 to 63 bytes long.";
        StaffClerkNeedsUnit => "录入员（clerk）须用 --unit 指定所属单位。", "A clerk needs its unit: add --unit CODE.";
        StaffUnitOnlyForClerk => "只有录入员（clerk）有所属单位：district 与 auditor 不能带 --unit。", "Only a clerk has a unit: district and auditor take no --unit.";
        // The login running staff, and the server's words.
        StaffNotAllowed =>
            "登录 {} 无权管理登录：需要能创建角色（CREATEROLE）的登录，例如运行 init 的登录。服务器说：{}",
            "The login {} may not manage logins: it takes one that may create roles (CREATEROLE), such as the one that ran init. The server says: {}";
        // The login, and what it still owns in the server's words.
        StaffOwnsThings =>
            "登录 {} 在服务器上还拥有对象或权限，不能删除（未做任何改动）：{}",
            "The login {} still owns objects or holds privileges on the server and cannot be removed; nothing was changed: {}";
        StaffPasswordPrompt => "登录 {} 的口令：", "Password for the login {}: ";
        StaffPasswordEmpty => "标准输入中没有口令（读到空行），未做任何改动。", "No password on standard input (an empty line); nothing was changed.";
        StaffPasswordUnreadable => "无法从标准输入读取口令：{}", "Cannot read the password from standard input: {}";
        // The change feed (`pg::listen`): its own connection dropped; `{}` is the detail, when
        // there is one, in the server's or the system's words.
        FeedLost => "实时更新的连接断开了，正在重连。", "The connection for live updates dropped; reconnecting.";
        FeedLostWhy => "实时更新的连接断开了，正在重连：{}", "The connection for live updates dropped; reconnecting: {}";
    }
}
