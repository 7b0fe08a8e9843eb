import { Global, Module } from '@nestjs/common';
import { Clock } from './clock.js';
import { PageLinks } from './pagination/page-links.js';

/** Small shared services every feature may inject without importing anything. */
@Global()
@Module({ providers: [Clock, PageLinks], exports: [Clock, PageLinks] })
export class CommonModule {}
