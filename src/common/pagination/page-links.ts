import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfig } from '../../config/app.config.js';
import { API_PREFIX } from '../http/api-prefix.js';

/**
 * The `Link: <…>; rel="next"` header of a page (RFC 8288): the same list with the same filters and
 * the next cursor, as an absolute address built from APP_PUBLIC_URL, never from the request's
 * `Host` (which a client, or a proxy in front of the API, chooses).
 */
@Injectable()
export class PageLinks {
  constructor(@Inject(appConfig.KEY) private readonly app: AppConfig) {}

  nextLink(path: string, query: object, nextCursor: string): string {
    const parameters = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined || name === 'cursor') continue;
      // A repeatable parameter (`type=a&type=b`) is repeated in the link.
      for (const each of Array.isArray(value) ? value : [value]) parameters.append(name, String(each));
    }
    parameters.set('cursor', nextCursor);
    return `<${this.app.publicUrl}/${API_PREFIX}/${path}?${parameters}>; rel="next"`;
  }
}
