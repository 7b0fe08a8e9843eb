import { Body, Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { ApiProblems, COUNTERS_UNAVAILABLE, LAST_ADMIN } from '../common/swagger/api-problems.decorator.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import { AccountAccessService } from './account-access.service.js';
import { Access } from '../access/access.decorators.js';
import { SuspendUserDto } from './dto/suspend-user.dto.js';

/**
 * An admin's controls over a user's access, as sub-resources and actions of the user: the login
 * lock, the sessions, suspension.
 */
@ApiTags('auth')
@Controller('users')
export class UserAccessController {
  constructor(private readonly access: AccountAccessService) {}

  @Delete(':id/login-lock')
  @HttpCode(204)
  @Access({ roles: ['admin'], scope: 'users:write' })
  @ApiOperation({
    operationId: 'auth_unlock',
    summary: "Lift the lock on a user's sign-in (admin)",
    description:
      'Wrong passwords lock an address for a while (AUTH_LOCKOUT_THRESHOLD); this lifts the lock at once and forgets the failures. Answers 204 whether or not the account was locked. `npm run cli -- unlock --email …` does the same from a shell (with REDIS_URL, where the lock lives).',
  })
  @ApiNoContentResponse({ description: 'The account can sign in again.' })
  @ApiProblems(400, 404, COUNTERS_UNAVAILABLE)
  @ApiUuidParam()
  async unlock(@UuidParam() id: string): Promise<void> {
    await this.access.unlock(id);
  }

  @Delete(':id/sessions')
  @HttpCode(204)
  @Access({ roles: ['admin'], scope: 'users:write' })
  @ApiOperation({
    operationId: 'auth_endUserSessions',
    summary: 'End every session of a user (admin)',
    description:
      "Signs the user out everywhere: every access and refresh token of the account stops working from the next request (the admin's own included, when the id is theirs). The account itself is untouched: the user can sign in again. Answers 204 whether or not the user had sessions.",
  })
  @ApiNoContentResponse({ description: 'The user has no session any more.' })
  @ApiProblems(400, 404)
  @ApiUuidParam()
  async endSessions(@UuidParam() id: string): Promise<void> {
    await this.access.signOutEverywhere(id);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Access({ roles: ['admin'], scope: 'users:write' })
  @ApiOperation({
    operationId: 'auth_suspendUser',
    summary: 'Suspend a user (admin)',
    description:
      'Every session of the account ends at once; it cannot sign in (after a correct password it gets a 403 `account-suspended`, after a wrong one the usual 401), refresh, or use a reset link until it is unsuspended. Suspending a suspended account changes nothing (the first time and reason stay). The last active admin cannot be suspended (409 `last-admin`).',
  })
  @ApiOkResponse({ type: UserResponseDto, description: 'The account, now `suspended`.' })
  @ApiProblems(400, 404, LAST_ADMIN, 413, 415)
  @ApiUuidParam()
  async suspend(@UuidParam() id: string, @Body() body: SuspendUserDto): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.access.suspend(id, body.reason));
  }

  @Post(':id/unsuspend')
  @HttpCode(200)
  @Access({ roles: ['admin'], scope: 'users:write' })
  @ApiOperation({
    operationId: 'auth_unsuspendUser',
    summary: 'Lift a suspension (admin)',
    description:
      'The account can sign in again (its old sessions stay ended). Unsuspending an active account changes nothing.',
  })
  @ApiOkResponse({ type: UserResponseDto, description: 'The account, now `active`.' })
  @ApiProblems(400, 404)
  @ApiUuidParam()
  async unsuspend(@UuidParam() id: string): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.access.unsuspend(id));
  }
}
