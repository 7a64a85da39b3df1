import CHDF5
import Foundation

/// Scalar attributes of a group (strings as variable-length UTF-8, booleans as h5py's FALSE/TRUE enum, so h5py
/// and rosettasciio read them as Python str and bool).
extension HDF5Group {
    /// Writes (or replaces) an attribute.
    ///
    ///     try group.setAttribute("navigate", .bool(false))
    public func setAttribute(_ key: String, _ value: HDF5Attribute) throws {
        try HDF5Library.withLock {
            if H5Aexists(handle.id, key) > 0 { _ = H5Adelete(handle.id, key) }
            let space = try HDF5Object(H5Screate(H5S_SCALAR), closer: H5Sclose, path: path,
                                       what: "cannot create a scalar dataspace")
            let type: HDF5Object
            switch value {
            case .string:
                type = try HDF5Object(H5Tcopy(chdf5_c_s1()), closer: H5Tclose, path: path, what: "string type")
                guard H5Tset_size(type.id, chdf5_variable()) >= 0, H5Tset_cset(type.id, H5T_CSET_UTF8) >= 0 else {
                    throw fail("cannot make a UTF-8 string type")
                }
            case .double, .numbers: type = try copied(chdf5_native_double())
            case .int: type = try copied(chdf5_native_int64())
            case .bool:
                type = try HDF5Object(H5Tenum_create(chdf5_native_int8()), closer: H5Tclose, path: path,
                                      what: "enum type")
                var no: Int8 = 0, yes: Int8 = 1
                _ = H5Tenum_insert(type.id, "FALSE", &no)
                _ = H5Tenum_insert(type.id, "TRUE", &yes)
            case .strings: throw fail("attribute \(key): string arrays are not written")
            }
            let attribute = try HDF5Object(H5Acreate2(handle.id, key, type.id, space.id, chdf5_p_default(),
                                                      chdf5_p_default()),
                                           closer: H5Aclose, path: path, what: "cannot create attribute \(key) of \(name)")
            var status: herr_t
            switch value {
            case .string(let s):
                status = s.withCString { p in
                    var pointer: UnsafePointer<CChar>? = p
                    return H5Awrite(attribute.id, type.id, &pointer)
                }
            case .double(var d): status = H5Awrite(attribute.id, type.id, &d)
            case .numbers(let v):
                var d = v.first ?? .nan
                status = H5Awrite(attribute.id, type.id, &d)
            case .int(let i):
                var v = Int64(i)
                status = H5Awrite(attribute.id, type.id, &v)
            case .bool(let b):
                var v: Int8 = b ? 1 : 0
                status = H5Awrite(attribute.id, type.id, &v)
            case .strings: status = -1
            }
            guard status >= 0 else { throw fail("cannot write attribute \(key)") }
        }
    }

    private func copied(_ type: hid_t) throws -> HDF5Object {
        try HDF5Object(H5Tcopy(type), closer: H5Tclose, path: path, what: "cannot copy a native type")
    }

    /// One attribute, or nil when it is absent or of a kind .hspy does not use (compound, reference, ...).
    public func attribute(_ key: String) throws -> HDF5Attribute? {
        try HDF5Library.withLock {
            guard H5Aexists(handle.id, key) > 0 else { return nil }
            let attribute = try HDF5Object(H5Aopen(handle.id, key, chdf5_p_default()), closer: H5Aclose, path: path,
                                           what: "cannot open attribute \(key) of \(name)")
            return try read(attribute, key)
        }
    }

    /// Every attribute the reader understands, by name (one pass over the names, then each opened by name:
    /// opening by index re-sorts a large attribute table on every call).
    public func attributes() throws -> [String: HDF5Attribute] {
        try HDF5Library.withLock {
            final class Names { var list: [String] = [] }
            let names = Names()
            var index: hsize_t = 0
            let status = withExtendedLifetime(names) {
                H5Aiterate2(handle.id, H5_INDEX_NAME, H5_ITER_NATIVE, &index, { _, name, _, context in
                    guard let name, let context else { return -1 }
                    Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: name))
                    return 0
                }, Unmanaged.passUnretained(names).toOpaque())
            }
            guard status >= 0 else { throw fail("cannot list the attributes") }
            var out: [String: HDF5Attribute] = [:]
            for key in names.list {
                let attribute = try HDF5Object(H5Aopen(handle.id, key, chdf5_p_default()), closer: H5Aclose, path: path,
                                               what: "cannot open attribute \(key) of \(name)")
                if let value = try read(attribute, key) { out[key] = value }
            }
            return out
        }
    }

    private func read(_ attribute: HDF5Object, _ key: String) throws -> HDF5Attribute? {
        let type = try HDF5Object(H5Aget_type(attribute.id), closer: H5Tclose, path: path, what: "type of \(key)")
        let space = try HDF5Object(H5Aget_space(attribute.id), closer: H5Sclose, path: path, what: "space of \(key)")
        let n = Int(H5Sget_simple_extent_npoints(space.id))
        guard n >= 1, n <= 1 << 20 else { return n == 0 ? .strings([]) : nil }
        switch H5Tget_class(type.id) {
        case H5T_STRING:
            let strings = try readStrings(attribute, type: type, space: space, count: n, key: key)
            return n == 1 && H5Sget_simple_extent_ndims(space.id) == 0 ? .string(strings[0]) : .strings(strings)
        case H5T_INTEGER, H5T_FLOAT:
            let memory = H5Tget_class(type.id) == H5T_FLOAT ? chdf5_native_double() : chdf5_native_int64()
            if memory == chdf5_native_int64() {
                var values = [Int64](repeating: 0, count: n)
                guard H5Aread(attribute.id, memory, &values) >= 0 else { throw fail("cannot read attribute \(key)") }
                return n == 1 ? .int(Int(values[0])) : .numbers(values.map(Double.init))
            }
            var values = [Double](repeating: 0, count: n)
            guard H5Aread(attribute.id, memory, &values) >= 0 else { throw fail("cannot read attribute \(key)") }
            return n == 1 ? .double(values[0]) : .numbers(values)
        case H5T_ENUM:
            // h5py's bool: an int8 enum FALSE = 0, TRUE = 1. Read through the enum's native form.
            let native = try HDF5Object(H5Tget_native_type(type.id, H5T_DIR_DEFAULT), closer: H5Tclose, path: path,
                                        what: "native type of \(key)")
            let width = H5Tget_size(native.id)
            guard width >= 1, width <= 8 else { return nil }
            var bytes = [UInt8](repeating: 0, count: width * n)
            guard H5Aread(attribute.id, native.id, &bytes) >= 0 else { throw fail("cannot read attribute \(key)") }
            let first = bytes.prefix(width).contains { $0 != 0 }
            return .bool(first)
        default:
            return nil
        }
    }

    private func readStrings(_ attribute: HDF5Object, type: HDF5Object, space: HDF5Object, count n: Int,
                             key: String) throws -> [String] {
        if H5Tis_variable_str(type.id) > 0 {
            let memory = try HDF5Object(H5Tcopy(chdf5_c_s1()), closer: H5Tclose, path: path, what: "string type")
            _ = H5Tset_size(memory.id, chdf5_variable())
            _ = H5Tset_cset(memory.id, H5Tget_cset(type.id))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
            guard H5Aread(attribute.id, memory.id, &pointers) >= 0 else { throw fail("cannot read attribute \(key)") }
            defer { for p in pointers where p != nil { H5free_memory(p) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let width = H5Tget_size(type.id)
        guard width >= 1, width <= 1 << 20 else { throw fail("attribute \(key) has a string width of \(width)") }
        var buffer = [UInt8](repeating: 0, count: width * n)
        guard H5Aread(attribute.id, type.id, &buffer) >= 0 else { throw fail("cannot read attribute \(key)") }
        return (0..<n).map { i in
            let chunk = buffer[(i * width)..<((i + 1) * width)]
            let end = chunk.firstIndex(of: 0) ?? chunk.endIndex
            return String(decoding: chunk[chunk.startIndex..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
    }
}
