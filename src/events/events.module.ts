import { Module } from '@nestjs/common';
import { DomainEvents } from './domain-events.js';

/** One `DomainEvents` for the process: every module that publishes or reacts imports this. */
@Module({ providers: [DomainEvents], exports: [DomainEvents] })
export class EventsModule {}
