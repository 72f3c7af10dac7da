package io.streamnlp.evaluation;

import io.streamnlp.model.internals.CascadeRule;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.EncodingException;
import java.util.ArrayList;
import java.util.List;

/**
 * The cascade ({@code encoder=cascade}) on a labelled file, at several thresholds and both ways of combining:
 * each model reads every message once, then {@link CascadeRule} (the stream's own rule) decides per threshold
 * which messages the attention model re-reads and what their scores are. Each message is read alone, from the
 * zero state, as {@link Evaluator#evaluate} reads it.
 */
public final class CascadeEvaluation {
  /** One threshold and one way of combining: the share of messages re-read and the report. */
  public record Point(double threshold, CascadeRule.Combine combine, double rereadShare,
                      ClassificationReport report) {}

  /** Both models alone and the cascade at every threshold and combination. */
  public record Result(ClassificationReport rnnAlone, ClassificationReport attentionAlone, List<Point> points) {}

  private CascadeEvaluation() {}

  /**
   * @param rnn evaluates the first model, which reads every message
   * @param attention evaluates the second, with the same labels in the same order
   */
  public static Result evaluate(Evaluator rnn, Evaluator attention, List<LabelledText> data, int batchSize,
                                double[] thresholds) throws EncodingException {
    return evaluate(rnn.results(data, batchSize), rnn, attention, data, batchSize, thresholds);
  }

  /**
   * As {@link #evaluate(Evaluator, Evaluator, List, int, double[])}, the rnn model reading each message from the
   * state another, random message of the file left ({@link Evaluator#resultsAfterContext}), as a key whose
   * messages are unrelated would in the stream; the attention model re-reads alone.
   */
  public static Result evaluateAfterContext(Evaluator rnn, Evaluator attention, List<LabelledText> data,
                                            int batchSize, long seed, double[] thresholds) throws EncodingException {
    return evaluate(rnn.resultsAfterContext(data, batchSize, seed), rnn, attention, data, batchSize, thresholds);
  }

  private static Result evaluate(List<EncoderResult> first, Evaluator rnn, Evaluator attention,
                                 List<LabelledText> data, int batchSize, double[] thresholds)
      throws EncodingException {
    List<EncoderResult> second = attention.results(data, batchSize);
    List<Point> points = new ArrayList<>();
    for (double threshold : thresholds) {
      for (CascadeRule.Combine combine : CascadeRule.Combine.values()) {
        CascadeRule rule = new CascadeRule(threshold, combine);
        List<float[]> scores = new ArrayList<>(data.size());
        int reread = 0;
        for (int i = 0; i < data.size(); i++) {
          if (rule.rereads(first.get(i).scores())) {
            reread++;
            scores.add(rule.combine(first.get(i).scores(), second.get(i).scores()));
          } else {
            scores.add(first.get(i).scores());
          }
        }
        points.add(new Point(threshold, combine, reread / (double) data.size(), rnn.report(data, scores)));
      }
    }
    return new Result(rnn.report(data, first.stream().map(EncoderResult::scores).toList()),
        rnn.report(data, second.stream().map(EncoderResult::scores).toList()), points);
  }
}
