/**
 * Sample streams: the response bodies of real inference servers (OpenAI, vLLM, TGI, llama.cpp,
 * Python SSE servers, Anthropic, Ollama), byte for byte, built from an answer text cut by a real
 * BPE tokenizer; and the shared corpus with its one split into training and held-out answers. Used
 * by the trainer, the benchmarks, the demo and the tests.
 */
package dev.sluice.codec.sample;
