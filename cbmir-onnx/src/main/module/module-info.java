/**
 * The shipped U-Net and InRes-Net on ONNX Runtime, reached through {@code org.cbmir.api.Models}.
 */
// ONNX Runtime's jar has no descriptor; its Automatic-Module-Name is stable.
@SuppressWarnings("requires-automatic")
module org.cbmir.onnx {
  requires transitive org.cbmir.api;
  requires org.slf4j;
  requires com.microsoft.onnxruntime;

  exports org.cbmir.onnx;

  provides org.cbmir.api.ModelProvider with
      org.cbmir.onnx.OnnxModelProvider;
}
