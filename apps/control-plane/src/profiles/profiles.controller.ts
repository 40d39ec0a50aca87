import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { ProfileView } from '@trialhub/contracts';
import { ApiAnswers } from '../common/api-answers';
import { ProfilesService } from './profiles.service';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api/profiles')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  /** The kinds of session a user can launch, with free slots. */
  @Get()
  @ApiAnswers(200, 'ProfileView[]', 'the enabled profiles')
  list(): Promise<ProfileView[]> {
    return this.profiles.views();
  }
}
