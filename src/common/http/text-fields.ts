import { Matches } from 'class-validator';

/**
 * Text a person types, as the OpenAPI document states it and the validation enforces it: no control
 * characters (one line), or none but tab and line breaks (several lines). The document's `pattern`
 * and the validator are the same expression, so neither can claim what the other does not do.
 */
/** An email address: at most 254 characters (RFC 5321's longest path, less its angle brackets). */
export const EMAIL_MAX_LENGTH = 254;

export const ONE_LINE_TEXT = '^[^\\u0000-\\u001f\\u007f]*$';
export const MULTI_LINE_TEXT = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';

/** Refuses control characters (`multiline`: but for tab, CR and LF), naming the member. */
export const PlainText = ({ multiline = false } = {}) =>
  Matches(new RegExp(multiline ? MULTI_LINE_TEXT : ONE_LINE_TEXT), {
    message: multiline
      ? '$property must not contain control characters other than tabs and line breaks'
      : '$property must not contain control characters',
  });
