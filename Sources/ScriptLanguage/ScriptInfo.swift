/// Facts about the language for banners and kernel_info.
public enum ScriptInfo {
    /// The language version (kernel_info's language_info.version).
    public static let languageVersion = "0.1.0"
}
