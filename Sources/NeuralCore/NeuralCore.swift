public enum NeuralCoreInfo { public static let name = "NeuralCore" }
