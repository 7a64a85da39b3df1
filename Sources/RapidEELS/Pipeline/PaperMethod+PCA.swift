import EELS
import Foundation

extension PaperMethod {
    /// The PCA baseline of the paper's Fig. 5: the binned raw image (full loaded range) reconstructed from
    /// `components` principal components, then each pixel's power-law background fitted on the background window
    /// and subtracted, then windowed, so it is in the same units as `targets(_:)`.
    public func pcaDenoised(_ si: SpectrumImage, components: Int) throws -> SpectrumImage {
        let binned = try binned(si)
        let model = try pca(binned, components: components)
        let reconstructed = try model.reconstructedImage(like: binned, components: components)
        let fits = try reconstructed.fitBackground(.powerLaw, in: backgroundStart...backgroundEnd)
        return try windowed(reconstructed.subtractingBackground(fits))
    }
}
