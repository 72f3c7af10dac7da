/**
 * Measurements behind {@code streamnlp bench}: what the two encoders cost and what they remember, each figure
 * taken against a baseline measured in the same run, and the report that compares them. Sits on top of the
 * pipeline: it uses the models and the stream exactly as a user's application would.
 */
package io.streamnlp.bench;
