package io.streamnlp.model.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.streamnlp.text.internals.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both shipped models give the same results on CUDA as on the CPU (1e-3). Runs only where ONNX Runtime has
 * its CUDA provider, i.e. a build with {@code mvn -Pcuda} on a machine with an NVIDIA GPU, driver, CUDA 12 and
 * cuDNN 9; everywhere else it is skipped and says why.
 */
@Tag("cuda")
class CudaExecutionProviderTest {

  @BeforeEach
  void needsCuda() {
    assumeTrue(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "skipped: this ONNX Runtime has no CUDA execution provider (CPU build or no GPU here); run "
            + "'mvn -Pcuda verify' on a machine with an NVIDIA GPU");
  }

  @ParameterizedTest
  @ValueSource(strings = {"minilm-l6-sentiment3", "gru-sentiment3"})
  void cudaMatchesTheCpu(String dir) throws Exception {
    ModelDirectory model = ModelDirectory.open("classpath:models/" + dir);
    try (OnnxModel cpu = OnnxModel.load(model, OnnxModel.RuntimeOptions.cpu(), 128);
         OnnxModel cuda = OnnxModel.load(model, new OnnxModel.RuntimeOptions("cuda", 0, 0), 128);
         TextEncoder onCpu = cpu.newEncoder(8);
         TextEncoder onCuda = cuda.newEncoder(8)) {
      assertThat(cuda.executionProvider()).isEqualTo("cuda");
      List<TokenizedText> batch = new ArrayList<>();
      for (String t : new String[] {"a gorgeous , funny film", "the update broke everything", "not bad at all",
          "i would not recommend it to anyone , ever , under any circumstances"}) {
        batch.add(cpu.tokenizer().tokenize(t));
      }
      List<EncoderResult> a = onCpu.encode(batch);
      List<EncoderResult> b = onCuda.encode(batch);
      for (int i = 0; i < batch.size(); i++) {
        assertThat(b.get(i).scores()).containsExactly(a.get(i).scores(), within(1e-3f));
        assertThat(b.get(i).embedding()).containsExactly(a.get(i).embedding(), within(1e-3f));
      }
    }
  }
}
