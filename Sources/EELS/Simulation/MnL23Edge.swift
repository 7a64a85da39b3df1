import Foundation

/// The three classes of the simulated second experiment: Mn2+ / Mn3+ / Mn4+ at the Mn L2,3 edge.
///
/// Literature the numbers rest on (items marked "recalled" were not re-read in full here; they are the commonly
/// quoted values of these papers, to orient the simulator, not to quantify real data):
/// - [T12] H. Tan, J. Verbeeck, A. Abakumov, G. Van Tendeloo, "Oxidation state and chemical shift investigation
///   in transition metal oxides by EELS", Ultramicroscopy 116 (2012) 24-33: on an absolute energy scale the Mn L3
///   edge moves up monotonically with the formal valence, by roughly 1.5-2 eV from MnO (Mn2+) to Mn2O3 (Mn3+)
///   and by a smaller step to MnO2 (Mn4+); L3 of MnO near 640 eV (recalled).
/// - [Z10] S. Zhang et al., "Determination of manganese valence states in (Mn3+, Mn4+) minerals by EELS",
///   Am. Mineral. 95 (2010) 1741-1746: the primary L3 peaks of Mn3+ and Mn4+ lie close together, so Gaussian
///   fitting of L3 cannot separate them (abstract).
/// - [R06] T. Riedl, T. Gemming, K. Wetzig, "Extraction of EELS white-line intensities of manganese compounds:
///   methods, accuracy, and valence sensitivity", Ultramicroscopy 106 (2006) 284-291: L3/L2 falls from about 4
///   for Mn2+ (MnO) through about 2.5-2.8 for Mn3+ to about 2 for Mn4+ (MnO2), method-dependent (recalled).
/// - [V09] M. Varela et al., "Atomic-resolution imaging of oxidation states in manganites", Phys. Rev. B 79,
///   085117 (2009): L2,3 ratio calibration over Mn3+-Mn4+ in manganites, ≈2.6-2.7 (Mn3+) to ≈2 (Mn4+) (recalled).
/// - [P93] D. H. Pearson, C. C. Ahn, B. Fultz, "White lines and d-electron occupancies for the 3d and 4d
///   transition metals", Phys. Rev. B 47, 8471 (1993): white-line intensity proportional to the number of 3d holes;
///   continuum modelled as two steps at the white lines with heights 2 : 1.
/// - [K93] H. Kurata, C. Colliex, Phys. Rev. B 48, 2102 (1993); [G94] L. A. J. Garvie, A. J. Craven, Phys. Chem.
///   Miner. 21, 191 (1994): L3 shapes: Mn2+ a sharp L3 with a weaker high-energy shoulder; Mn3+ and Mn4+ broader,
///   with a low-energy shoulder (recalled).
/// - Mn 2p spin-orbit splitting ≈ 11 eV (L3-L2 ≈ 10.5-11.5 eV in the oxides; XPS of the metal 11.2 eV).
/// - [A] assumed: widths (≈1 eV resolution included), plasmon, background, dose.
///
///     let label = MnValence.mn3.classIndex   // 1
///     MnValence.mn4.filePrefix               // "mn4"
public enum MnValence: Int, CaseIterable, Sendable, Codable {
    case mn2 = 2, mn3 = 3, mn4 = 4

    /// The class index: 0 = Mn2+, 1 = Mn3+, 2 = Mn4+.
    public var classIndex: Int { rawValue - 2 }
    /// "Mn2+", "Mn3+", "Mn4+".
    public var label: String { "Mn\(rawValue)+" }
    /// The file-name prefix that carries the class: "mn2", "mn3", "mn4".
    public var filePrefix: String { "mn\(rawValue)" }
    /// The valence of a class index, nil outside 0...2.
    public init?(classIndex: Int) { self.init(rawValue: classIndex + 2) }

    /// The valence a file name carries by its prefix ("mn3_02.dm4", "/data/MN4_x.dm4"), nil when none does.
    ///
    ///     MnValence(fileName: "mn2_01.dm4")   // .mn2
    public init?(fileName: String) {
        let name = (fileName.split(separator: "/").last.map(String.init) ?? fileName).lowercased()
        guard let match = MnValence.allCases.first(where: { name.hasPrefix($0.filePrefix) }) else { return nil }
        self = match
    }

    /// Energy of the L3 white-line maximum, eV: 640.0 / 641.6 / 642.4 ([T12] +1.6 eV for Mn2+ -> Mn3+, and the
    /// smaller Mn3+ -> Mn4+ step of [T12], [Z10]).
    public var l3Energy: Double { [640.0, 641.6, 642.4][classIndex] }
    /// Integrated L3/L2 white-line ratio: 4.0 / 2.7 / 2.0 ([R06], [V09]).
    public var whiteLineRatio: Double { [4.0, 2.7, 2.0][classIndex] }
    /// L2 - L3 separation, eV: 11.2 / 11.0 / 10.8 (2p spin-orbit splitting; the small valence trend is [A]).
    public var spinOrbitSplitting: Double { [11.2, 11.0, 10.8][classIndex] }
    /// Number of Mn 3d holes (d5, d4, d3): 5 / 6 / 7. White-line area ∝ holes [P93].
    public var holes: Int { 10 - (7 - rawValue) }

    /// The Mn L2,3 template of this valence at t/λ = 0.5, in counts per eV per pixel of a 400 FPS K2 pixel
    /// scaled so that the L3 continuum step is `stepHeight` (default 20 counts per eV) [A].
    ///
    /// Lines (centre offset from `l3Energy`, FWHM, share of the L3 area) [K93], [G94], [A]:
    /// - Mn2+: L3 main (0, 1.6 eV, 80 %) + high-energy shoulder (+2.3, 2.2 eV, 20 %); L2 one line, FWHM 2.6 eV.
    /// - Mn3+: L3 main (0, 2.4 eV, 75 %) + low-energy shoulder (-1.7, 1.8 eV, 25 %); L2 FWHM 3.0 eV.
    /// - Mn4+: L3 main (0, 2.2 eV, 80 %) + low-energy shoulder (-2.0, 1.6 eV, 20 %); L2 FWHM 3.0 eV.
    /// White-line area: 2.8 x holes eV x step (Mn2+: 14 step-eV, L3 peak ≈ 5.5 x the step) [P93], [A];
    /// L3 : L2 area = `whiteLineRatio`; continuum steps at the L3 and L2 maxima, heights 1 : 1/2, σ 1 eV [P93],
    /// decaying as E^-2 above the onset [A].
    public func template(stepHeight: Double = 20) -> CoreEdgeTemplate {
        let e3 = l3Energy, e2 = e3 + spinOrbitSplitting
        let total = 2.8 * Double(holes)
        let l3Area = total * whiteLineRatio / (1 + whiteLineRatio), l2Area = total / (1 + whiteLineRatio)
        let lines: [(name: String, offset: Double, fwhm: Double, share: Double)]
        let l2Width: Double
        switch self {
        case .mn2: lines = [("L3", 0, 1.6, 0.8), ("L3 high-energy shoulder", 2.3, 2.2, 0.2)]; l2Width = 2.6
        case .mn3: lines = [("L3", 0, 2.4, 0.75), ("L3 low-energy shoulder", -1.7, 1.8, 0.25)]; l2Width = 3.0
        case .mn4: lines = [("L3", 0, 2.2, 0.8), ("L3 low-energy shoulder", -2.0, 1.6, 0.2)]; l2Width = 3.0
        }
        let gaussianArea = (Double.pi / (4 * M_LN2)).squareRoot()  // area of a unit-height, unit-FWHM Gaussian
        var peaks = lines.map { line in
            ELNESPeak(name: line.name, centre: e3 + line.offset, fwhm: line.fwhm,
                      height: stepHeight * l3Area * line.share / (line.fwhm * gaussianArea))
        }
        peaks.append(ELNESPeak(name: "L2", centre: e2, fwhm: l2Width,
                               height: stepHeight * l2Area / (l2Width * gaussianArea)))
        let steps = [EdgeStep(onset: e3, width: 1, height: stepHeight, decay: 2),
                     EdgeStep(onset: e2, width: 1, height: stepHeight / 2, decay: 2)]
        return CoreEdgeTemplate(peaks: peaks, steps: steps, referenceThickness: 0.5)
    }

    /// The default acquisition axis of the Mn experiment: 590-692.2 eV at 0.2 eV/channel (512 channels), the
    /// background window 600-635 eV below the L3 edge, the L2 edge and 40 eV of continuum above it.
    public static let defaultAxis = UniformAxis(offset: 590, scale: 0.2, size: 512)

    /// The background fit window used with `defaultAxis`, eV.
    public static let backgroundWindow: ClosedRange<Double> = 605...635
}

extension CoreLossPhysics {
    /// Physics of a manganese oxide at 200 kV, β = 24 mrad (the paper's microscope) [A]: Drude plasmon 24 eV,
    /// Γ 10 eV; a power-law background A E^-r with 45 counts per eV at 635 eV at t/λ = 0.5 (the continuum step
    /// of 20 counts per eV adds ≈ 45 % to it, the white lines 3-5x more) and r = 3.5 (typically 3-4 below
    /// transition-metal L edges, Egerton [L8]).
    public static let manganeseOxide = CoreLossPhysics(plasmonEnergy: 24, plasmonWidth: 10, backgroundExponent: 3.5,
                                                       backgroundCountsPerEV: 45, backgroundReferenceEnergy: 635)
}

extension CoreLossSimulator {
    /// The Mn2+ / Mn3+ / Mn4+ simulator (class index = `MnValence.classIndex`) on `axis`.
    ///
    ///     let sim = try CoreLossSimulator.manganese(axis: UniformAxis(offset: 600, scale: 0.1, size: 900))
    public static func manganese(physics: CoreLossPhysics = .manganeseOxide, axis: UniformAxis = MnValence.defaultAxis,
                                 stepHeight: Double = 20) throws -> CoreLossSimulator {
        try CoreLossSimulator(templates: MnValence.allCases.map { $0.template(stepHeight: stepHeight) },
                              physics: physics, outputAxis: axis)
    }
}
