/**
 * The egress codec: cuts a stream into lines, binary runs and HTTP chunks, each line into its shape
 * and its values, and codes them losslessly against what the stream has seen (text with the
 * context-mixing model, the rest as differences from earlier events), with one arithmetic coder per
 * link frame. Also the model file and its trainer, and the codec file of {@code sluice codec
 * compress}. No networking.
 */
package dev.sluice.codec;
