import { Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { Roles } from './auth.decorators.js';
import { AuthService } from './auth.service.js';

/** The lock wrong passwords put on an account, as a sub-resource an admin can lift. */
@ApiTags('auth')
@Controller('users')
export class LoginLocksController {
  constructor(private readonly auth: AuthService) {}

  @Delete(':id/login-lock')
  @Roles('admin')
  @HttpCode(204)
  @ApiBearerAuth('bearer')
  @ApiOperation({
    operationId: 'auth_unlock',
    summary: "Lift the lock on a user's sign-in (admin)",
    description:
      'Wrong passwords lock an address for a while (AUTH_LOCKOUT_THRESHOLD); this lifts the lock at once and forgets the failures. Answers 204 whether or not the account was locked. `npm run cli -- unlock --email …` does the same from a shell (with REDIS_URL, where the lock lives).',
  })
  @ApiNoContentResponse({ description: 'The account can sign in again.' })
  @ApiProblems(400, 401, 403, 404)
  @ApiUuidParam()
  async unlock(@UuidParam() id: string): Promise<void> {
    await this.auth.unlock(id);
  }
}
