package dev.sluice.demo;

import java.util.Objects;

/**
 * One message of a chat request.
 *
 * @param role {@code system}, {@code user}, {@code assistant}, {@code tool} or anything the client
 *     sent
 * @param content the text of the message; array content is the concatenation of its text parts, and
 *     {@code null} content is the empty string
 */
public record ChatMessage(String role, String content) {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }
}
