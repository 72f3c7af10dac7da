package io.streamnlp.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnlp.evaluation.Conversations.Conversation;
import io.streamnlp.model.internals.CascadeRule;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConversationEvaluationTest {

  private static List<Conversation> conversations(OnnxModel model) {
    List<LabelledText> pool = new ArrayList<>();
    String[] positive = {"I love this phone, best purchase this year", "great service, thank you so much"};
    String[] negative = {"worst delivery ever, still waiting", "the app crashes every time, awful"};
    String[] neutral = {"my order number is 4471", "the shop opens at nine on monday", "I moved to Berlin in May"};
    for (String t : positive) {
      pool.add(new LabelledText(t, "positive"));
    }
    for (String t : negative) {
      pool.add(new LabelledText(t, "negative"));
    }
    for (String t : neutral) {
      pool.add(new LabelledText(t, "neutral"));
    }
    return Conversations.generate(pool, new int[] {0, 16}, 4, 13, text -> {
      try {
        return model.tokenizer().tokenize(text).length() - 2;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static List<String> figures(ConversationEvaluation.Result r) {
    return r.points().stream().map(p -> p.distance() + ":" + p.repliesCorrect() + "/" + p.replies() + ","
        + p.repliesCorrectAlone() + "," + p.leaked() + "/" + p.standalone() + "," + p.anchorsReadCorrect() + "/"
        + p.anchorsRead()).toList();
  }

  @Test
  void oneGruPassGivesTheGrusOwnFiguresAndTheCascadesOverThem() throws Exception {
    try (OnnxModel gru = OnnxModel.load(ModelDirectory.open("classpath:models/gru-sentiment3"),
        OnnxModel.RuntimeOptions.cpu(), 128);
         OnnxModel attention = OnnxModel.load(ModelDirectory.open("classpath:models/minilm-l6-sentiment3"),
             OnnxModel.RuntimeOptions.cpu(), 128)) {
      List<Conversation> convs = conversations(gru);
      assertThat(convs).hasSize(2 * 4 * 4);
      ConversationEvaluation.Result alone = ConversationEvaluation.evaluate(gru, convs, 0);
      ConversationEvaluation.Result blind = ConversationEvaluation.evaluate(attention, convs, 0);

      // One pass for both rules: the attention model's re-readings are shared between them.
      List<ConversationEvaluation.Result> results = ConversationEvaluation.evaluateRnnAndCascade(gru, attention,
          convs, List.of(new CascadeRule(0, CascadeRule.Combine.ATTENTION),
              new CascadeRule(2, CascadeRule.Combine.ATTENTION)));
      assertThat(results).hasSize(3);
      assertThat(figures(results.get(0))).as("the GRU's figures do not depend on the rules")
          .isEqualTo(figures(alone));
      assertThat(results.get(0).kind()).isEqualTo("rnn");
      assertThat(figures(results.get(1))).as("re-reading nothing is the GRU").isEqualTo(figures(alone));
      assertThat(results.get(1).kind()).isEqualTo("cascade");
      assertThat(figures(results.get(2))).as("re-reading everything alone is the transformer without a window")
          .isEqualTo(figures(blind));
      assertThat(figures(blind)).as("the conversations tell the models apart").isNotEqualTo(figures(alone));

      assertThatThrownBy(() -> ConversationEvaluation.evaluateRnnAndCascade(attention, attention, convs,
          List.of(new CascadeRule(0.5, CascadeRule.Combine.ATTENTION)))).hasMessageContaining("must be an rnn model");
    }
  }
}
