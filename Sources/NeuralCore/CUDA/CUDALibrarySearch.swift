import Foundation

/// Where the CUDA libraries are looked for: the usual system places, `CUDA_HOME`/`CUDA_PATH`,
/// `RAPIDEELS_CUDA_LIBRARY_PATH` (colon-separated folders, searched first), and the `nvidia/*/lib`
/// folders of the NVIDIA Python wheels under the site-packages of every `python3` on `PATH`.
///
///     let paths = CUDALibrarySearch.candidates(for: .nvrtc)
///     // ["/opt/cuda/lib64/libnvrtc.so.12", ..., ".venv/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12",
///     //  "libnvrtc.so.12", ...]
public enum CUDALibrarySearch {
    /// The three libraries the CUDA backend opens.
    public enum Library: String, CaseIterable, Sendable {
        /// The driver API (installed with the NVIDIA driver, never in a wheel).
        case driver
        /// The run-time compiler, CUDA C source to PTX/CUBIN.
        case nvrtc
        /// cuBLAS, for the GEMMs.
        case cublas

        /// Sonames in order of preference (newest first).
        public var sonames: [String] {
            switch self {
            case .driver: return ["libcuda.so.1", "libcuda.so"]
            case .nvrtc: return ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"]
            case .cublas: return ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"]
            }
        }

        /// The wheel folder under site-packages/nvidia that ships this library.
        var wheelFolder: String? {
            switch self {
            case .driver: return nil
            case .nvrtc: return "cuda_nvrtc"
            case .cublas: return "cublas"
            }
        }
    }

    /// Every path (absolute) or bare soname to try for `library`, in order.
    ///
    /// - Parameter environment: the process environment (injectable for tests).
    public static func candidates(
        for library: Library,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        let folders = searchFolders(for: library, environment: environment)
        var result: [String] = []
        for folder in folders {
            for soname in library.sonames { result.append(folder + "/" + soname) }
        }
        // Last: dlopen's own search (LD_LIBRARY_PATH, the ld.so cache, the system folders).
        result.append(contentsOf: library.sonames)
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }

    /// The folders searched for `library`, before dlopen's own search.
    public static func searchFolders(
        for library: Library,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        var folders: [String] = []
        if let explicit = environment["RAPIDEELS_CUDA_LIBRARY_PATH"] {
            folders += explicit.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if library == .driver {
            folders += [
                "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
                "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib",
            ]
            return folders
        }
        for variable in ["CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"] {
            if let root = environment[variable], !root.isEmpty {
                folders += [root + "/lib64", root + "/lib", root + "/targets/x86_64-linux/lib"]
            }
        }
        folders += ["/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/x86_64-linux-gnu"]
        if let wheel = library.wheelFolder {
            for sitePackages in pythonSitePackages(environment: environment) {
                folders.append(sitePackages + "/nvidia/" + wheel + "/lib")
                // CUDA 13 wheels put every library under nvidia/cu13/lib.
                folders.append(sitePackages + "/nvidia/cu13/lib")
            }
        }
        var seen = Set<String>()
        return folders.filter { seen.insert($0).inserted }
    }

    /// The site-packages folders of the Python installations reachable from the environment:
    /// `VIRTUAL_ENV`, `CONDA_PREFIX`, the prefix of every `python3` on `PATH`, the user site, /usr/local and /usr.
    public static func pythonSitePackages(environment: [String: String]) -> [String] {
        var prefixes: [String] = []
        if let venv = environment["VIRTUAL_ENV"] { prefixes.append(venv) }
        if let conda = environment["CONDA_PREFIX"] { prefixes.append(conda) }
        for folder in (environment["PATH"] ?? "").split(separator: ":") {
            let python = String(folder) + "/python3"
            if FileManager.default.isExecutableFile(atPath: python) {
                prefixes.append((String(folder) as NSString).deletingLastPathComponent)
            }
        }
        if let home = environment["HOME"] { prefixes.append(home + "/.local") }
        prefixes += ["/usr/local", "/usr"]
        var result: [String] = []
        let files = FileManager.default
        for prefix in prefixes {
            let lib = prefix + "/lib"
            guard let entries = try? files.contentsOfDirectory(atPath: lib) else { continue }
            for entry in entries.sorted() where entry.hasPrefix("python3") {
                for leaf in ["site-packages", "dist-packages"] {
                    let path = lib + "/" + entry + "/" + leaf
                    if files.fileExists(atPath: path + "/nvidia") { result.append(path) }
                }
            }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }
}
