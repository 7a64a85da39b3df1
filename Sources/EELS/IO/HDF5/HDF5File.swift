import CHDF5
import Foundation

/// A minimal HDF5 file over libhdf5: groups, scalar attributes and numeric datasets, as HyperSpy's .hspy uses
/// them. Every failure is an `EELSError.file` naming the path and the object; nothing is printed to stderr.
///
///     let file = try HDF5File(creating: "/tmp/x.h5")
///     let g = try file.root.createGroup("Experiments")
///     try g.setAttribute("title", .string("SI"))
///     try g.writeDataset("data", values: [1, 2, 3, 4], shape: [2, 2])
///     let back = try HDF5File(reading: "/tmp/x.h5").root.group("Experiments")!.readDataset("data")
public final class HDF5File {
    /// The file's path (for messages).
    public let path: String
    let handle: HDF5Object
    /// The root group "/".
    public let root: HDF5Group
    /// The bytes of an in-memory file image must outlive the file.
    private let image: UnsafeMutableRawBufferPointer?

    /// Creates (or truncates) a file.
    public init(creating path: String) throws {
        self.path = path
        image = nil
        handle = try HDF5Library.withLock {
            // The 1.8 object format: dense attribute storage, so a group may hold any number of attributes (the
            // original format caps an object's attributes at 64 kB). Read by every libhdf5 since 1.8 (h5py too).
            let fapl = try HDF5Object(H5Pcreate(chdf5_p_file_access()), closer: H5Pclose, path: path,
                                      what: "cannot create a file-access property list")
            _ = H5Pset_libver_bounds(fapl.id, H5F_LIBVER_V18, H5F_LIBVER_V18)
            return try HDF5Object(H5Fcreate(path, chdf5_acc_trunc(), chdf5_p_default(), fapl.id), closer: H5Fclose,
                                  path: path, what: "cannot create the file (is the folder there and writable?)")
        }
        root = try HDF5Group(file: handle, at: "/", path: path)
    }

    /// Opens an existing file read-only.
    ///
    /// - Throws: `EELSError.file` when the file is missing or not HDF5.
    public init(reading path: String) throws {
        self.path = path
        image = nil
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw EELSError.file(path: path, detail: "no such readable file")
        }
        handle = try HDF5Library.withLock {
            try HDF5Object(H5Fopen(path, chdf5_acc_rdonly(), chdf5_p_default()), closer: H5Fclose, path: path,
                           what: "not a readable HDF5 file (bad signature, truncated or corrupt superblock)")
        }
        root = try HDF5Group(file: handle, at: "/", path: path)
    }

    /// Opens an HDF5 file held in memory (libhdf5's core driver over a copy of `bytes`); `path` names it in errors.
    public init(bytes: [UInt8], path: String) throws {
        self.path = path
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(bytes.count, 1), alignment: 8)
        copy.copyBytes(from: bytes)
        image = copy
        do {
            handle = try HDF5Library.withLock {
                let fapl = try HDF5Object(H5Pcreate(chdf5_p_file_access()), closer: H5Pclose, path: path,
                                          what: "cannot create a file-access property list")
                guard H5Pset_fapl_core(fapl.id, 1 << 16, false) >= 0,
                      H5Pset_file_image(fapl.id, copy.baseAddress, bytes.count) >= 0 else {
                    throw EELSError.file(path: path, detail: "HDF5: cannot set up an in-memory file image")
                }
                return try HDF5Object(H5Fopen(path, chdf5_acc_rdonly(), fapl.id), closer: H5Fclose, path: path,
                                      what: "not a readable HDF5 file (bad signature, truncated or corrupt superblock)")
            }
            root = try HDF5Group(file: handle, at: "/", path: path)
        } catch {
            copy.deallocate()
            throw error
        }
    }

    deinit { image?.deallocate() }

    /// Whether `bytes` start with the HDF5 signature.
    public static func hasSignature(_ bytes: [UInt8]) -> Bool { bytes.starts(with: HDF5Library.signature) }
}

/// A group of an HDF5 file: members, attributes, datasets.
public final class HDF5Group {
    let handle: HDF5Object
    /// The file's path, for messages.
    public let path: String
    /// The group's HDF5 path ("/Experiments/SI").
    public let name: String

    init(file: HDF5Object, at name: String, path: String) throws {
        self.path = path
        self.name = name
        handle = try HDF5Library.withLock {
            try HDF5Object(H5Gopen2(file.id, name, chdf5_p_default()), closer: H5Gclose, path: path,
                           what: "cannot open group \(name)")
        }
    }

    private init(handle: HDF5Object, name: String, path: String) {
        self.handle = handle
        self.name = name
        self.path = path
    }

    func child(_ member: String) -> String { name == "/" ? "/" + member : name + "/" + member }
    func fail(_ detail: String) -> EELSError { .file(path: path, detail: "\(name): \(detail)") }

    /// A member group, or nil when there is no member group of that name.
    public func group(_ member: String) throws -> HDF5Group? {
        try HDF5Library.withLock {
            guard kind(of: member) == .group else { return nil }
            let id = H5Gopen2(handle.id, member, chdf5_p_default())
            return HDF5Group(handle: try HDF5Object(id, closer: H5Gclose, path: path, what: "cannot open group \(child(member))"),
                             name: child(member), path: path)
        }
    }

    /// Creates a member group (`member` must not contain "/").
    public func createGroup(_ member: String) throws -> HDF5Group {
        try HDF5Library.withLock {
            let id = H5Gcreate2(handle.id, member, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
            return HDF5Group(handle: try HDF5Object(id, closer: H5Gclose, path: path,
                                                    what: "cannot create group \(child(member))"),
                             name: child(member), path: path)
        }
    }

    /// What a member is.
    public enum MemberKind: Sendable { case group, dataset, other, missing }

    /// The kind of the member `member`.
    public func memberKind(_ member: String) -> MemberKind { HDF5Library.withLock { kind(of: member) } }

    private func kind(of member: String) -> MemberKind {
        guard !member.isEmpty, !member.contains("/"), H5Lexists(handle.id, member, chdf5_p_default()) > 0 else {
            return .missing
        }
        let object = H5Oopen(handle.id, member, chdf5_p_default())
        guard object >= 0 else { return .other }
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return .other
        }
    }

    /// The names of the members in name order.
    public func memberNames() throws -> [String] {
        try HDF5Library.withLock {
            let count = chdf5_group_size(handle.id)
            guard count >= 0 else { throw fail("cannot list the group's members") }
            return try (0..<count).map { i in
                let length = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), nil, 0,
                                                chdf5_p_default())
                guard length >= 0 else { throw fail("cannot read the name of member \(i)") }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                _ = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), &buffer,
                                       buffer.count, chdf5_p_default())
                return String(cString: buffer)
            }
        }
    }
}
