import RapidEELS
/// RapidEELS Script: a Swift-syntax cell language, interpreted.
public enum ScriptInfo { public static let languageVersion = "0.1.0" }
