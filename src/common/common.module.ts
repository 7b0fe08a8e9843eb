import { Global, Module } from '@nestjs/common';
import { Clock } from './clock.js';

/** Small shared services every feature may inject without importing anything. */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class CommonModule {}
