import CHDF5

/// Numeric datasets of a group.
extension HDF5Group {
    /// A dataset read as Float32 in C order, with its shape and NumPy's name for the stored type.
    public struct Dataset: Sendable {
        public var values: [Float]
        /// C order, slowest first.
        public var shape: [Int]
        /// "float32", "float64", "int16", "uint8", "bool" ...
        public var dtype: String
    }

    /// Writes `values` (C order) as a float32 dataset of `shape`, gzip-compressed in chunks when large.
    ///
    ///     try group.writeDataset("data", values: si.data, shape: [si.rows, si.columns, si.channels])
    public func writeDataset(_ key: String, values: [Float], shape: [Int]) throws {
        guard shape.reduce(1, *) == values.count, !shape.isEmpty else {
            throw fail("dataset \(key): \(values.count) values do not fill the shape \(shape)")
        }
        try HDF5Library.withLock {
            var dims = shape.map { hsize_t($0) }
            let space = try HDF5Object(H5Screate_simple(Int32(shape.count), &dims, nil), closer: H5Sclose, path: path,
                                       what: "cannot create a dataspace of shape \(shape)")
            let dcpl = try HDF5Object(H5Pcreate(chdf5_p_dataset_create()), closer: H5Pclose, path: path,
                                      what: "dataset creation properties")
            if values.count >= 1 << 16 {
                // Chunks of about 1 MB that keep whole trailing (signal) rows together, as rosettasciio does.
                var chunk = dims
                let target = hsize_t(1 << 18)
                var axis = 0
                while chunk.reduce(1, *) > target && axis < chunk.count {
                    let rest = chunk.reduce(1, *) / chunk[axis]
                    chunk[axis] = Swift.max(1, target / Swift.max(rest, 1))
                    axis += 1
                }
                guard H5Pset_chunk(dcpl.id, Int32(chunk.count), &chunk) >= 0, H5Pset_shuffle(dcpl.id) >= 0,
                      H5Pset_deflate(dcpl.id, 4) >= 0 else { throw fail("dataset \(key): cannot set up compression") }
            }
            let dataset = try HDF5Object(H5Dcreate2(handle.id, key, chdf5_native_float(), space.id, chdf5_p_default(),
                                                    dcpl.id, chdf5_p_default()),
                                         closer: H5Dclose, path: path, what: "cannot create dataset \(child(key))")
            let status = values.withUnsafeBufferPointer {
                H5Dwrite(dataset.id, chdf5_native_float(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
            }
            guard status >= 0 else { throw fail("cannot write dataset \(key) (disk full?)") }
        }
    }

    /// Reads a numeric dataset (any integer or float type, chunked or compressed with a filter libhdf5 has)
    /// converted to Float32.
    ///
    /// - Throws: `EELSError.file` for a missing dataset, non-numeric data, or data that cannot be decoded.
    public func readDataset(_ key: String) throws -> Dataset {
        try HDF5Library.withLock {
            guard memberKind(key) == .dataset else { throw fail("no dataset '\(key)'") }
            let dataset = try HDF5Object(H5Dopen2(handle.id, key, chdf5_p_default()), closer: H5Dclose, path: path,
                                         what: "cannot open dataset \(child(key))")
            let type = try HDF5Object(H5Dget_type(dataset.id), closer: H5Tclose, path: path, what: "type of \(key)")
            let space = try HDF5Object(H5Dget_space(dataset.id), closer: H5Sclose, path: path, what: "space of \(key)")
            let rank = Int(H5Sget_simple_extent_ndims(space.id))
            guard rank >= 0, rank <= 32 else { throw fail("dataset \(key) has no simple shape") }
            var dims = [hsize_t](repeating: 0, count: rank)
            _ = H5Sget_simple_extent_dims(space.id, &dims, nil)
            let shape = dims.map { Int($0) }
            var count = 1
            for d in shape {
                let (p, o) = count.multipliedReportingOverflow(by: d)
                guard !o, p <= Int(Int32.max) * 2 else { throw fail("dataset \(key) of shape \(shape) is too large") }
                count = p
            }
            let width = H5Tget_size(type.id)
            let dtype: String
            switch H5Tget_class(type.id) {
            case H5T_FLOAT: dtype = "float\(8 * width)"
            case H5T_INTEGER: dtype = (H5Tget_sign(type.id) == H5T_SGN_NONE ? "uint" : "int") + "\(8 * width)"
            case H5T_ENUM: dtype = "bool"
            case H5T_COMPOUND: throw fail("dataset \(key) holds compound (complex or record) values; only real "
                + "numbers are read")
            default: throw fail("dataset \(key) does not hold numbers")
            }
            var values = [Float](repeating: 0, count: count)
            if dtype == "bool" {
                let native = try HDF5Object(H5Tget_native_type(type.id, H5T_DIR_DEFAULT), closer: H5Tclose,
                                            path: path, what: "native type of \(key)")
                let size = H5Tget_size(native.id)
                var bytes = [UInt8](repeating: 0, count: count * size)
                guard H5Dread(dataset.id, native.id, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), &bytes) >= 0 else {
                    throw fail("cannot read dataset \(key)")
                }
                values = (0..<count).map { i in bytes[(i * size)..<((i + 1) * size)].contains { $0 != 0 } ? 1 : 0 }
            } else if count > 0 {
                let status = values.withUnsafeMutableBufferPointer {
                    H5Dread(dataset.id, chdf5_native_float(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(),
                            $0.baseAddress)
                }
                guard status >= 0 else {
                    throw fail("cannot read dataset \(key): truncated, corrupt, or compressed with a filter this "
                        + "libhdf5 lacks (gzip and shuffle are built in; blosc/lz4 are plug-ins)")
                }
            }
            return Dataset(values: values, shape: shape, dtype: dtype)
        }
    }
}
