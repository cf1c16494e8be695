#!/usr/bin/env -S node --max-semi-space-size=64 --v8-pool-size=1
import { Command } from "commander";
import { registerDbCommand } from "./db-command.ts";
import { configCommand, strategiesCommand } from "./info-commands.ts";
import { runCommand } from "./run-command.ts";
import { registerSimCommand } from "./sim-command.ts";

const program = new Command()
  .name("des")
  .description("DES: an algorithmic trading system for crypto markets")
  .showHelpAfterError();

program
  .command("run")
  .description(
    "start DES: paper venue, SQLite store, replay of the bundled real Binance data, API on 127.0.0.1:8080",
  )
  .action(runCommand);

registerSimCommand(program);
registerDbCommand(program);

program
  .command("strategies")
  .description("list the built-in strategies and their parameters")
  .action(strategiesCommand);

program
  .command("config")
  .description("print the validated configuration (environment + DES_CONFIG file + defaults)")
  .action(configCommand);

await program.parseAsync(process.argv);
