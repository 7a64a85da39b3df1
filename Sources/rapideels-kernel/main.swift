import Jupyter
import Script
print("rapideels-kernel \(ScriptInfo.languageVersion) (Jupyter protocol \(JupyterProtocol.version))")
