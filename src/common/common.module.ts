import { Global, Module } from '@nestjs/common';
import { Clock } from './clock.js';
import { PageLinks } from './pagination/page-links.js';
import { RequestContext } from './request-context.js';

/** Small shared services every feature may inject without importing anything. */
@Global()
@Module({ providers: [Clock, PageLinks, RequestContext], exports: [Clock, PageLinks, RequestContext] })
export class CommonModule {}
