import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { ProfileView } from '@trialhub/contracts';
import { ProfilesService } from './profiles.service';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api/profiles')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  /** The kinds of session a user can launch, with free slots. */
  @Get()
  list(): Promise<ProfileView[]> {
    return this.profiles.views();
  }
}
