import { applyDecorators, type Type } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { ApiProblems } from './api-problems.decorator.js';

/** An entity tag (RFC 9110 §8.8.3), as the API sends it. */
const TAG = {
  type: 'string',
  maxLength: 200,
  pattern: '^(W/)?"[^"]*"$',
  example: '"3q2-7wF4aHkXWk1l0sYgNw"',
};
/** What a client may send in `If-Match` and `If-None-Match`: `*` or a list of entity tags. */
const TAGS = {
  type: 'string',
  maxLength: 2000,
  pattern: '^(\\*|(W/)?"[^"]*"(\\s*,\\s*(W/)?"[^"]*")*)$',
  example: '"3q2-7wF4aHkXWk1l0sYgNw"',
};

const ETAG = {
  ETag: {
    description:
      'The strong entity tag of this representation (RFC 9110 §8.8.3): send it back as `If-Match` to change the resource only if nobody changed it since, or as `If-None-Match` to read it again only if it changed.',
    schema: TAG,
  },
};

/** A 200 with the representation and its `ETag`. */
export const ApiOkWithETag = (type: Type<unknown>, description?: string) =>
  ApiOkResponse({ type, headers: ETAG, ...(description ? { description } : {}) });

/** A GET that answers 304 to a matching `If-None-Match`. */
export const ApiIfNoneMatch = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'The `ETag` you hold: when it still matches, the answer is a 304 without a body.',
      schema: TAGS,
    }),
    ApiResponse({
      status: 304,
      description: 'Not modified: the representation still has the `ETag` you sent.',
      headers: ETAG,
    }),
  );

/** A change that `If-Match` makes conditional, refused with a 412 when the tag is stale. */
export const ApiIfMatch = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description:
        'The `ETag` of the representation you read (or `*`): the change is made only if it is still the current one, otherwise 412. Without it the change is made whatever changed meanwhile (the last write wins).',
      schema: TAGS,
    }),
    ApiProblems({
      status: 412,
      description:
        'Someone changed the resource since you read it (`/problems/precondition-failed`): read it again (its new `ETag`), then decide.',
    }),
  );
