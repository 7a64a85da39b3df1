extension Dataset {
    /// Test images chosen per class by a seeded shuffle: round(fraction x n) of the n images of each class (at least
    /// one where the class has two or more), always leaving one to train on; unlabelled images are a stratum of
    /// their own. Images with regions count under their whole-image label.
    ///
    ///     let test = try data.stratifiedTestIndices(fraction: 0.25, seed: 1)   // 12 SIs, 3 classes -> 3 test
    /// - Throws: `EELSError.value` for a fraction outside [0, 1) or a class with one image (nothing left to train).
    public func stratifiedTestIndices(fraction: Double, seed: UInt64) throws -> [Int] {
        guard fraction >= 0, fraction < 1 else {
            throw EELSError.value("the test fraction must be in [0, 1), got \(fraction)")
        }
        guard fraction > 0 else { return [] }
        var rng = SeededGenerator(seed: seed)
        var strata: [Int: [Int]] = [:]
        for (i, item) in items.enumerated() { strata[item.label ?? -1, default: []].append(i) }
        var test: [Int] = []
        for key in strata.keys.sorted() {
            let members = strata[key]!
            let name = key < 0 ? "unlabelled images" : "class '\(className(key))'"
            guard members.count >= 2 else {
                if key < 0 { continue }
                throw EELSError.value("\(name) has one spectrum image; a stratified test split needs two or more "
                    + "per class (one to train on), or give the test images by name")
            }
            let count = Swift.min(members.count - 1, Swift.max(1, Int((fraction * Double(members.count)).rounded())))
            test += members.shuffled(using: &rng).prefix(count)
        }
        return test.sorted()
    }

    /// The indices of the images named `names` (file names or titles).
    /// - Throws: `EELSError.value` for a name no image has.
    public func indices(named names: [String]) throws -> [Int] {
        try names.map { name in
            guard let i = items.firstIndex(where: { $0.name == name }) else {
                throw EELSError.value("no spectrum image named '\(name)'; names are "
                    + items.map(\.name).joined(separator: ", "))
            }
            return i
        }
    }
}
