import Glibc
import MeridianConfig

/// Reads the configuration files (the main file and every `*.conf` of `ports.d/`) and hands their text
/// to the pure parser. This is the only place the daemon touches configuration files.
enum ConfigurationLoader {
    static func load(_ options: DaemonOptions) -> Result<Configuration, ConfigErrors> {
        var main: ConfigSource?
        var portFiles: [ConfigSource] = []
        if let path = options.configFile {
            switch readFile(path) {
            case .success(let text): main = ConfigSource(name: path, text: text)
            case .failure(let why):
                return .failure(
                    ConfigErrors([ConfigDiagnostic(file: path, line: 0, problem: .unreadable("cannot read: \(why)"))]))
            }
            // ports.d: named by ports_dir in [global], else next to the main file (optional there).
            let explicit = main.flatMap { ConfigParser.globalOption("ports_dir", in: $0) }
            let directory: String
            if let explicit, !explicit.value.isEmpty {
                directory = explicit.value.hasPrefix("/") ? explicit.value : parentDirectory(of: path) + "/" + explicit.value
                guard isDirectory(directory) else {
                    return .failure(
                        ConfigErrors([
                            ConfigDiagnostic(
                                file: path, line: explicit.line,
                                problem: .unreadable("ports_dir \(explicit.value) is not a directory"))
                        ]))
                }
            } else {
                directory = parentDirectory(of: path) + "/ports.d"
            }
            if isDirectory(directory) {
                switch listConfFiles(directory) {
                case .failure(let why):
                    return .failure(
                        ConfigErrors([ConfigDiagnostic(file: directory, line: 0, problem: .unreadable("cannot list: \(why)"))]))
                case .success(let names):
                    for name in names {
                        let file = directory + "/" + name
                        switch readFile(file) {
                        case .success(let text):
                            portFiles.append(
                                ConfigSource(name: file, text: text, kind: .portFile(defaultInterface: String(name.dropLast(5)))))
                        case .failure(let why):
                            return .failure(
                                ConfigErrors([ConfigDiagnostic(file: file, line: 0, problem: .unreadable("cannot read: \(why)"))])
                            )
                        }
                    }
                }
            }
        }
        let parsed = ConfigParser.parse(
            main: main, portFiles: portFiles, interfaces: options.interfaces, overrides: options.overrides)
        // Rules across options (reference pps needs pps_device, …) are checked once each option is valid.
        if case .success(var configuration) = parsed {
            let file = main?.name ?? "command line"
            var problems: [ConfigDiagnostic] = ReferenceConfigCheck.diagnostics(configuration, file: file)
            problems += ProfileConfigCheck.diagnostics(configuration)
            problems += configuration.httpAddressDiagnostics(file: file)
            problems += SourceFilter.diagnostics(configuration, file: file)
            problems += Privileges.diagnostics(configuration, file: file)
            problems += UnicastMasterTables.diagnostics(configuration, file: file)
            if problems.contains(where: { $0.severity == .error }) { return .failure(ConfigErrors(problems)) }
            configuration.warnings += problems.filter { $0.severity == .warning }
            return .success(configuration)
        }
        return parsed
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The `*.conf` files of a directory, sorted by name so ports come up in a stable order.
    static func listConfFiles(_ path: String) -> Result<[String], ConfigProblem> {
        guard let directory = opendir(path) else { return .failure(.unreadable(errorText(errno))) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".conf"), name.count > 5, !name.hasPrefix(".") { names.append(name) }
        }
        return .success(names.sorted())
    }

    /// The whole file as UTF-8 text (invalid bytes replaced); at most 1 MiB, which no configuration needs.
    static func readFile(_ path: String) -> Result<String, ConfigProblem> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.unreadable(errorText(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while bytes.count <= 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(errorText(errno)))
            }
            if count == 0 { return .success(String(decoding: bytes, as: UTF8.self)) }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return .failure(.unreadable("larger than 1 MiB"))
    }
}
